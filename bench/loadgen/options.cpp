#include "options.hpp"

#include <unistd.h>
#include <CLI/CLI.hpp>
#include <ctime>

namespace cz::loadgen {

std::optional<Options> parse_options(int argc, char** argv, int& exit_code) {
  Options o;
  CLI::App app{"cz-loadgen: Socket.IO load generator for the CZ Messenger /messenger namespace"};
  app.option_defaults()->always_capture_default();
  app.add_option("--scenario", o.scenario, "pairs | fanout | idle | connect-storm")
      ->check(CLI::IsMember({"pairs", "fanout", "idle", "connect-storm"}));
  app.add_option("--label", o.label, "name of the server under test, carried into the results");
  app.add_option("--host", o.host, "server address (loopback)");
  app.add_option("--port", o.port, "server port")->required();
  app.add_option("--namespace", o.nsp, "Socket.IO namespace");
  app.add_option("--jwt-secret", o.jwt_secret, "HS256 secret the server verifies tokens with")
      ->envname("CZ_JWT_SECRET")
      ->required();
  app.add_option("--server-pid", o.server_pids,
                 "server process to sample CPU time and RSS of (repeat for a cluster's nodes: "
                 "summed)");
  app.add_option("--infra-pid", o.infra_pids,
                 "Redis/PostgreSQL process whose CPU time is reported apart (infra_cpu_*; "
                 "repeatable, summed)");
  app.add_option("--user-prefix", o.user_prefix,
                 "prefix of the user ids (default: unique per run)");
  app.add_option("--pairs", o.pairs, "pairs: buyer/seller conversations; fanout: senders")
      ->check(CLI::Range(1u, 10000u));
  app.add_option("--tabs", o.tabs, "sockets per receiving seller (fanout default 10)")
      ->check(CLI::Range(1u, 10000u));
  app.add_option("--rate", o.rate, "aggregate messages per second; 0 = closed loop")
      ->check(CLI::Range(0.0, 10e6));
  app.add_option("--window", o.window, "closed loop: messages in flight per sender")
      ->check(CLI::Range(1u, 10000u));
  app.add_option("--duration", o.duration_s, "seconds of sending")->check(CLI::Range(0.1, 3600.0));
  app.add_option("--warmup", o.warmup_s, "seconds of unmeasured sending first (JIT warm-up)")
      ->check(CLI::Range(0.0, 600.0));
  app.add_option("--grace", o.grace_s, "seconds to wait for late acks and deliveries")
      ->check(CLI::Range(0.0, 600.0));
  app.add_option("--message-size", o.message_size, "content bytes per message")
      ->check(CLI::Range(1, 1000000));
  app.add_option(
         "--threads", o.threads,
         "pairs/fanout: event loops (threads) of the generator; conversations split among them")
      ->check(CLI::Range(1u, 64u));
  app.add_option(
         "--background", o.background,
         "pairs/fanout: idle sockets held open meanwhile (cost per message vs connected clients)")
      ->check(CLI::Range(0u, 1000000u));
  app.add_option("--connections", o.connections, "idle / connect-storm: sockets")
      ->check(CLI::Range(1u, 1000000u));
  app.add_option("--hold", o.hold_s, "idle: seconds to hold the sockets open after settling")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--settle", o.settle_s,
                 "idle: seconds between the last connect and the RSS reading")
      ->check(CLI::Range(0.0, 600.0));
  auto* concurrency =
      app.add_option("--connect-concurrency", o.connect_concurrency, "connects in progress at once")
          ->check(CLI::Range(1u, 1000000u));
  app.add_option("--connect-timeout", o.connect_timeout_s,
                 "seconds before a connect counts as failed")
      ->check(CLI::Range(0.1, 600.0));
  app.add_option("--tick-ms", o.tick_ms, "pacing granularity of the sender")
      ->check(CLI::Range(0.1, 1000.0));
  app.add_flag("--strict", o.strict,
               "exit 1 when a message is lost, unacked, refused or duplicated, or a client fails");
  app.add_flag("--json-only", o.json_only, "print only the JSON line");
  auto* tabs = app.get_option("--tabs");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    exit_code = app.exit(e);
    return std::nullopt;
  }
  if (o.scenario == "fanout" && tabs->count() == 0) o.tabs = 10;
  if (o.scenario == "fanout" && app.get_option("--pairs")->count() == 0) o.pairs = 1;
  if (o.scenario == "connect-storm" && concurrency->count() == 0)
    o.connect_concurrency = o.connections;
  if (o.threads > o.pairs) {
    std::fprintf(stderr,
                 "--threads must not exceed --pairs (each thread drives whole conversations)\n");
    exit_code = 2;
    return std::nullopt;
  }
  if (o.user_prefix.empty()) {
    o.user_prefix =
        "lg" + std::to_string(getpid()) + "x" + std::to_string(std::time(nullptr) % 1000000) + "-";
  }
  if (o.user_prefix.find('.') != std::string::npos) {
    std::fprintf(stderr, "--user-prefix must not contain '.' (room ids are <buyer>.<seller>)\n");
    exit_code = 2;
    return std::nullopt;
  }
  return o;
}

}  // namespace cz::loadgen
