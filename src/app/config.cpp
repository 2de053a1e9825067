#include "app/config.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

namespace cz::app {

namespace {

const char* kDescription =
    "CZ Messenger: a real-time buyer/seller chat server speaking Socket.IO v5 / Engine.IO v4.\n"
    "Clients connect with the official socket.io-client to namespace /messenger.\n"
    "Every flag can also be given as an environment variable (shown as ENV).";

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
  app.add_flag("--test-namespaces", c.test_namespaces,
               "Also serve the echo namespaces /, /test and /test2 used by the protocol tests")
      ->envname("CZ_TEST_NAMESPACES")
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
}

}  // namespace

std::optional<Config> parse_config(int argc, char** argv, int& exit_code) {
  Config config;
  CLI::App app{kDescription, "cz-messenger"};
  app.set_version_flag("--version", "cz-messenger 0.1.0");
  add_network_flags(app, config);
  add_engineio_flags(app, config);
  add_messenger_flags(app, config);
  app.add_option("--log-level", config.log_level, "trace, debug, info, warn, error or off")
      ->envname("CZ_LOG_LEVEL")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    exit_code = app.exit(e);
    return std::nullopt;
  }
  if (config.ping_timeout_ms == 0 || config.ping_interval_ms == 0) {
    std::cerr << "--ping-interval and --ping-timeout must be positive\n";
    exit_code = 2;
    return std::nullopt;
  }
  exit_code = 0;
  return config;
}

}  // namespace cz::app
