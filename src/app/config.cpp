#include "app/config.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <map>

#include "app/compat.hpp"

namespace cz::app {

namespace {

const char* kDescription =
    "CZ Messenger: a real-time buyer/seller chat server speaking Socket.IO v5 / Engine.IO v4.\n"
    "Clients connect with the official socket.io-client to namespace /messenger.\n"
    "Every flag can also be given as an environment variable (shown as Env) or as a key of the\n"
    "--config file (TOML: the flag without its dashes, e.g. `ping-interval = 10000`).\n"
    "A flag wins over its variable, the variable over the file, the file over the default.";

void add_network_flags(CLI::App& app, Config& c) {
  app.add_option("--host", c.host, "Address to listen on")
      ->envname("CZ_HOST")
      ->capture_default_str()
      ->group("Network");
  app.add_option("--port", c.port, "TCP port to listen on (0: pick a free port)")
      ->envname("CZ_PORT")
      ->capture_default_str()
      ->group("Network");
  app.add_option("--threads", c.threads,
                 "I/O threads, one event loop each (0: one per core but one, for the store writer)")
      ->envname("CZ_THREADS")
      ->capture_default_str()
      ->check(CLI::Range(0u, 256u))
      ->group("Network");
  app.add_option("--cors-origin", c.cors_origins,
                 "Allowed CORS origin (repeat or comma-separate; '*' allows any). "
                 "Default: no CORS headers")
      ->envname("CZ_CORS_ORIGIN")
      ->delimiter(',')
      ->group("Network");
  app.add_option("--header-timeout", c.header_timeout_ms,
                 "Milliseconds a client has to send a request's headers (from its connect, or "
                 "from the first byte of a later keep-alive request)")
      ->envname("CZ_HEADER_TIMEOUT")
      ->capture_default_str()
      ->check(CLI::Range(100u, 600000u))
      ->group("Network");
  app.add_option("--max-pending-headers-per-ip", c.max_pending_headers_per_ip,
                 "Connections of one client address still sending their request headers; more "
                 "are closed at once (0: no cap; use 0 behind a proxy)")
      ->envname("CZ_MAX_PENDING_HEADERS_PER_IP")
      ->capture_default_str()
      ->group("Network");
}

void add_engineio_flags(CLI::App& app, Config& c) {
  app.add_option("--ping-interval", c.ping_interval_ms, "Milliseconds between server pings")
      ->envname("CZ_PING_INTERVAL")
      ->capture_default_str()
      ->check(CLI::Range(100u, 3600000u))
      ->group("Engine.IO");
  app.add_option("--ping-timeout", c.ping_timeout_ms,
                 "Milliseconds to wait for a pong before dropping the client")
      ->envname("CZ_PING_TIMEOUT")
      ->capture_default_str()
      ->check(CLI::Range(100u, 3600000u))
      ->group("Engine.IO");
  app.add_option("--max-payload", c.max_payload,
                 "Largest Engine.IO message or polling request body, in bytes")
      ->envname("CZ_MAX_PAYLOAD")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{64}, std::size_t{64} << 20))
      ->group("Engine.IO");
  app.add_option("--max-send-queue", c.max_send_queue,
                 "Bytes queued for one client before it is dropped as too slow")
      ->envname("CZ_MAX_SEND_QUEUE")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{4096}, std::size_t{1} << 30))
      ->group("Engine.IO");
  app.add_option("--fragment-timeout", c.fragment_timeout_ms,
                 "Milliseconds a fragmented WebSocket message may take to complete")
      ->envname("CZ_FRAGMENT_TIMEOUT")
      ->capture_default_str()
      ->check(CLI::Range(100u, 600000u))
      ->group("Engine.IO");
  app.add_option("--max-control-frames", c.max_control_frames,
                 "WebSocket pings/pongs a client may send per second (bursts of 5x); over it "
                 "the connection is closed (0: unlimited)")
      ->envname("CZ_MAX_CONTROL_FRAMES")
      ->capture_default_str()
      ->group("Engine.IO");
}

// Only plain http:// is supported for the marketplace services (internal network).
std::string valid_service_url(const std::string& url) {
  if (url.rfind("http://", 0) != 0 || url.size() <= 7)
    return "must be an http:// URL such as http://shops.internal/v1/shops/{id}";
  return {};
}

void add_messenger_flags(CLI::App& app, Config& c) {
  app.add_option("--store", c.store,
                 "Message store: sqlite:PATH, postgres://USER@HOST/DB, or memory (nothing kept "
                 "after exit: for benchmarks and tests)")
      ->envname("CZ_STORE")
      ->capture_default_str()
      ->group("Messenger");
  app.add_option("--jwt-secret", c.jwt_secret, "Secret for HS256 tokens")
      ->envname("CZ_JWT_SECRET")
      ->group("Messenger");
  app.add_option("--jwt-public-key", c.jwt_public_key_file,
                 "PEM public key file for RS256/ES256 tokens")
      ->envname("CZ_JWT_PUBLIC_KEY")
      ->check(CLI::ExistingFile)
      ->group("Messenger");
  app.add_option("--max-message-size", c.max_message_size, "Largest message content, in bytes")
      ->envname("CZ_MAX_MESSAGE_SIZE")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
      ->group("Messenger");
  app.add_option("--shop-service", c.shop_service,
                 "Shop details service for new rooms: http:// URL, {id} = shop_id "
                 "(default: keep the client's `shop`)")
      ->envname("CZ_SHOP_SERVICE")
      ->check(valid_service_url)
      ->group("Messenger");
  app.add_option("--account-service", c.account_service,
                 "Buyer details service for new rooms: http:// URL, {id} = buyer id "
                 "(default: keep the client's `buyer_info`)")
      ->envname("CZ_ACCOUNT_SERVICE")
      ->check(valid_service_url)
      ->group("Messenger");
  app.add_option("--lookup-timeout", c.lookup_timeout_ms,
                 "Milliseconds to wait for the shop/account services")
      ->envname("CZ_LOOKUP_TIMEOUT")
      ->capture_default_str()
      ->check(CLI::Range(10u, 60000u))
      ->group("Messenger");
  app.add_option("--event-rate", c.event_rate,
                 "Events per second one socket may send (token bucket); more are refused with "
                 "RATE_LIMITED (0: unlimited)")
      ->envname("CZ_EVENT_RATE")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6))
      ->group("Messenger");
  app.add_option("--event-burst", c.event_burst, "Events one socket may send at once")
      ->envname("CZ_EVENT_BURST")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1000000u))
      ->group("Messenger");
  app.add_option("--max-refused-events", c.max_refused_events,
                 "RATE_LIMITED refusals (forgiven at --event-rate) before the socket is "
                 "disconnected (0: never)")
      ->envname("CZ_MAX_REFUSED_EVENTS")
      ->capture_default_str()
      ->group("Messenger");
  app.add_option("--max-sockets-per-user", c.max_sockets_per_user,
                 "/messenger sockets one user may have on this node; more are refused at the "
                 "handshake (0: no cap)")
      ->envname("CZ_MAX_SOCKETS_PER_USER")
      ->capture_default_str()
      ->group("Messenger");
  app.add_option("--redis", c.redis, "Redis URL (redis://HOST:PORT) to run as a cluster node")
      ->envname("CZ_REDIS")
      ->group("Cluster");
  app.add_option("--presence-ttl", c.presence_ttl_ms,
                 "Milliseconds a crashed node's users stay online in Redis (heartbeat: a third)")
      ->envname("CZ_PRESENCE_TTL")
      ->capture_default_str()
      ->check(CLI::Range(300u, 3600000u))
      ->group("Cluster");
  app.add_option("--redis-publish-timeout", c.publish_timeout_ms,
                 "Milliseconds a new_message's ack waits for Redis to confirm its broadcast to "
                 "the other nodes; past that (Redis slow or down) it is acked unconfirmed, and "
                 "receivers on other nodes get it by sync")
      ->envname("CZ_REDIS_PUBLISH_TIMEOUT")
      ->capture_default_str()
      ->check(CLI::Range(10u, 600000u))
      ->group("Cluster");
}

void add_web_flags(CLI::App& app, Config& c) {
  app.add_option("--web-root", c.web_root,
                 "Directory of the web client (its public/ is served at /, the socket.io-client "
                 "bundle from its node_modules/). Default: web/ beside the binary's directory; "
                 "'none': serve no page")
      ->envname("CZ_WEB_ROOT")
      ->group("Web client");
  app.add_flag("--dev-tokens", c.dev_tokens,
               "Development sign-in: POST /dev/token {user_id, role} mints a token signed with "
               "the development secret (not with --jwt-secret/--jwt-public-key)")
      ->envname("CZ_DEV_TOKENS")
      ->group("Web client");
}

void add_operations_flags(CLI::App& app, Config& c) {
  app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error, critical or off")
      ->envname("CZ_LOG_LEVEL")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->group("Operations");
  app.add_option("--log-format", c.log_format,
                 "text, or json: one JSON object a line (time, level, message, fields)")
      ->envname("CZ_LOG_FORMAT")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}))
      ->group("Operations");
  app.add_option("--shutdown-timeout", c.shutdown_timeout_ms,
                 "On SIGTERM: time to finish (close sessions, commit queued messages) before the "
                 "process exits anyway; milliseconds, or with a unit: 5s, 1500ms")
      ->envname("CZ_SHUTDOWN_TIMEOUT")
      ->capture_default_str()
      ->transform(CLI::AsNumberWithUnit(std::map<std::string, unsigned>{{"ms", 1}, {"s", 1000}},
                                        CLI::AsNumberWithUnit::CASE_SENSITIVE, "UNIT"))
      ->check(CLI::Range(100u, 3600000u))
      ->group("Operations");
}

// CLI11 reads the --config file before the environment and lets neither override a value
// already set, which would put the file above the environment. This reader drops the file's
// keys whose variable is set (non-empty: CLI11 ignores empty ones), so that the variable wins.
class TomlBelowEnvironment : public CLI::ConfigTOML {
 public:
  explicit TomlBelowEnvironment(std::map<std::string, std::string> env_of_key)
      : env_of_key_(std::move(env_of_key)) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    auto items = CLI::ConfigTOML::from_config(input);
    std::erase_if(items, [this](const CLI::ConfigItem& item) {
      if (!item.parents.empty()) return false;  // a [section]: CLI11 refuses it later
      auto it = env_of_key_.find(item.name);
      if (it == env_of_key_.end()) return false;
      const char* value = std::getenv(it->second.c_str());
      return value != nullptr && *value != '\0';
    });
    return items;
  }

 private:
  std::map<std::string, std::string> env_of_key_;
};

// --config FILE (or CZ_CONFIG). Call once every other option exists.
void add_config_file(CLI::App& app) {
  std::map<std::string, std::string> env_of_key;
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_envname().empty()) continue;
    for (const auto& name : opt->get_lnames()) env_of_key[name] = opt->get_envname();
  }
  app.config_formatter(std::make_shared<TomlBelowEnvironment>(std::move(env_of_key)));
  // CLI11 ignores unknown keys by default: a typo would silently keep the default.
  app.allow_config_extras(CLI::config_extras_mode::error);
  // The file is read before the environment is looked at, so CZ_CONFIG is given as the
  // option's default (then a missing file is an error, as for --config).
  const char* from_env = std::getenv("CZ_CONFIG");
  const bool env_given = from_env != nullptr && *from_env != '\0';
  app.set_config("--config", env_given ? from_env : "",
                 "TOML (or INI) file with any of these options as `key = value` (Env: CZ_CONFIG)",
                 env_given)
      ->group("Operations");
}

}  // namespace

std::optional<Config> parse_config(int argc, const char* const* argv, int& exit_code,
                                   std::ostream& out, std::ostream& err) {
  Config config;
  CLI::App app{kDescription, "cz-messenger"};
  app.set_version_flag("--version", "cz-messenger 0.1.0");
  app.add_flag_callback(
      "--compat",
      [&out] {
        print_compat(out);
        throw CLI::Success();
      },
      "Print the original Node service's behaviours that clients see, and whether this server "
      "keeps, changes or refuses each one, then exit");
  add_network_flags(app, config);
  add_engineio_flags(app, config);
  add_messenger_flags(app, config);
  add_web_flags(app, config);
  add_operations_flags(app, config);
  add_config_file(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    exit_code = app.exit(e, out, err);
    return std::nullopt;
  }
  if (config.ping_timeout_ms == 0 || config.ping_interval_ms == 0) {
    err << "--ping-interval and --ping-timeout must be positive\n";
    exit_code = 2;
    return std::nullopt;
  }
  if (config.dev_tokens && (!config.jwt_secret.empty() || !config.jwt_public_key_file.empty())) {
    err << "--dev-tokens cannot be combined with --jwt-secret or --jwt-public-key: it mints "
           "tokens for anyone who asks, so it only signs with the development secret\n";
    exit_code = 2;
    return std::nullopt;
  }
  if (const CLI::Option* file = app.get_option("--config"); file->count() > 0)
    config.config_file = file->as<std::string>();
  exit_code = 0;
  return config;
}

std::optional<Config> parse_config(int argc, char** argv, int& exit_code) {
  return parse_config(argc, argv, exit_code, std::cout, std::cerr);
}

}  // namespace cz::app
