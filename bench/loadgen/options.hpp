#pragma once
// What one run of the load generator is told to do.
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cz::loadgen {

struct Options {
  std::string scenario = "pairs";  // pairs | fanout | idle | connect-storm
  std::string label;               // free text carried into the results (e.g. "ours", "node")
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;
  std::string nsp = "/messenger";
  std::string jwt_secret;
  std::vector<pid_t> server_pids;  // none: no server-side CPU/RSS figures
  std::vector<pid_t> infra_pids;   // Redis, PostgreSQL...: their CPU reported apart
  std::string user_prefix;         // default: unique per run, so runs never collide in a store

  // pairs / fanout
  unsigned pairs = 50;  // conversations (buyer/seller pairs); fanout: senders
  unsigned tabs = 1;    // sockets per receiving seller (fanout default 10)
  double rate = 1000;   // aggregate messages/s; 0 = closed loop (see window)
  unsigned window = 1;  // closed loop: messages in flight per sender
  double duration_s = 10;
  double warmup_s = 1;            // sent and drained before the measured window
  double grace_s = 5;             // after sending: how long to wait for acks and deliveries
  std::size_t message_size = 64;  // bytes of content
  unsigned threads = 1;           // event loops of the generator (pairs/fanout)
  unsigned background = 0;        // extra idle sockets (own users) held open while sending

  // idle / connect-storm
  unsigned connections = 1000;
  double hold_s = 5;
  double settle_s = 2;

  unsigned connect_concurrency = 256;  // connect-storm default: all at once
  double connect_timeout_s = 15;
  double tick_ms = 1;      // pacing granularity of the sender
  bool strict = false;     // exit 1 on any loss, error, failure
  bool json_only = false;  // no human table
};

// Parses argv; returns nullopt after printing help (exit 0) or an error (exit_code set).
std::optional<Options> parse_options(int argc, char** argv, int& exit_code);

}  // namespace cz::loadgen
