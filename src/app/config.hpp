#pragma once
// Everything the server can be told: flags, their CZ_* environment equivalents, or keys of a
// --config file (TOML/INI; the flag's name without its dashes). A flag wins over its variable,
// the variable over the file, the file over the default.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace cz::app {

struct Config {
  // Network
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;
  unsigned threads = 0;                   // 0: one per core but one
  std::vector<std::string> cors_origins;  // empty: no CORS headers; "*": any origin
  unsigned header_timeout_ms = 10000;
  std::size_t max_pending_headers_per_ip = 256;  // 0: no cap

  // Engine.IO
  unsigned ping_interval_ms = 25000;
  unsigned ping_timeout_ms = 20000;
  std::size_t max_payload = 1000000;
  std::size_t max_send_queue = 4 * 1024 * 1024;
  unsigned fragment_timeout_ms = 10000;
  unsigned max_control_frames = 10;  // per second; 0: unlimited

  // Messenger
  std::string store = "sqlite:./data/cz-messenger.db";
  std::string jwt_secret;
  std::string jwt_public_key_file;
  std::size_t max_message_size = 4096;
  std::string shop_service;     // URL template, e.g. http://shops.internal/v1/shops/{id}
  std::string account_service;  // URL template, e.g. http://accounts.internal/v1/users/{id}
  unsigned lookup_timeout_ms = 2000;
  double event_rate = 50;  // per socket and second; 0: unlimited
  unsigned event_burst = 200;
  unsigned max_refused_events = 200;   // 0: never disconnect for it
  unsigned max_sockets_per_user = 32;  // on this node; 0: no cap

  // Cluster
  std::string redis;  // empty: single node
  unsigned presence_ttl_ms = 30000;
  unsigned publish_timeout_ms = 2000;  // a new_message's ack waits this long for Redis's answer

  // Web client (web/, served at /)
  std::string web_root;     // empty: web/ beside the build directory of the binary
  bool dev_tokens = false;  // POST /dev/token mints tokens with the development secret

  // Operations
  std::string log_level = "info";
  std::string log_format = "text";      // or "json": one object a line
  unsigned shutdown_timeout_ms = 5000;  // SIGTERM: exit within this, whatever is left
  std::string config_file;              // the --config file read, if any
};

// Parses argv (and the environment, and the --config file). Returns the config, or std::nullopt
// after printing help/version (exit 0) or an error (exit code in `exit_code`).
std::optional<Config> parse_config(int argc, char** argv, int& exit_code);

// The same, with errors and help written to `out`/`err` (for tests).
std::optional<Config> parse_config(int argc, const char* const* argv, int& exit_code,
                                   std::ostream& out, std::ostream& err);

}  // namespace cz::app
