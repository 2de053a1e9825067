// The server: configuration wired to the layers, serving until SIGINT/SIGTERM.
//
//   net::HttpServer -> net::Router -> /socket.io/  engineio::Server -> socketio::Server
//                                                                   -> messenger (/messenger)
//                                  -> /v1/, /openapi.json  messenger REST
//                                  -> /healthz, /readyz, /metrics  (app/ops.hpp)
//                                  -> /, /vendor/socket.io/, /dev/token  web client (app/)
#include "app/server.hpp"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <fstream>
#include <memory>
#include <sstream>
#include <string_view>

#include "app/config.hpp"
#include "app/dev_secret.hpp"
#include "app/logging.hpp"
#include "app/ops.hpp"
#include "app/shutdown.hpp"
#include "app/web_client.hpp"
#include "cluster/redis_bus.hpp"
#include "cluster/redis_presence.hpp"
#include "engineio/server.hpp"
#include "messenger/messenger.hpp"
#include "messenger/rest/rest.hpp"
#include "net/http_server.hpp"
#include "net/io_pool.hpp"
#include "net/router.hpp"
#include "socketio/server.hpp"
#include "store/store.hpp"

namespace {

using namespace cz;

engineio::ServerOptions engineio_options(const app::Config& c) {
  engineio::ServerOptions o;
  o.ping_interval = std::chrono::milliseconds(c.ping_interval_ms);
  o.ping_timeout = std::chrono::milliseconds(c.ping_timeout_ms);
  o.max_payload = c.max_payload;
  o.max_buffered_bytes = c.max_send_queue;
  o.cors_origins = c.cors_origins;
  return o;
}

net::HttpServerOptions http_options(const app::Config& c) {
  net::HttpServerOptions o;
  o.host = c.host;
  o.port = c.port;
  // A polling POST carries at most one max_payload; REST bodies are far smaller.
  o.body_limit = std::max<std::size_t>(c.max_payload, 64 * 1024);
  o.websocket_max_message = c.max_payload;
  o.websocket_send_queue_limit = c.max_send_queue;
  o.websocket_fragment_timeout = std::chrono::milliseconds(c.fragment_timeout_ms);
  o.websocket_control_rate =
      TokenRate{static_cast<double>(c.max_control_frames), 5.0 * c.max_control_frames};
  o.header_timeout = std::chrono::milliseconds(c.header_timeout_ms);
  o.max_pending_headers_per_ip = c.max_pending_headers_per_ip;
  return o;
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// One token configuration for the socket handshake and REST alike.
messenger::JwtOptions jwt_options(const app::Config& c) {
  messenger::JwtOptions o;
  o.hs256_secret = c.jwt_secret;
  if (!c.jwt_public_key_file.empty()) o.public_key_pem = read_text_file(c.jwt_public_key_file);
  if (c.jwt_secret.empty() && c.jwt_public_key_file.empty()) {
    auto path = app::dev_secret_path(c.store);
    o.hs256_secret = app::load_or_create_secret(path);
    spdlog::warn("no --jwt-secret or --jwt-public-key: using the development secret in {}", path);
  }
  return o;
}

messenger::Options messenger_options(const app::Config& c, net::IoPool& pool,
                                     const messenger::JwtOptions& jwt) {
  messenger::Options o;
  o.jwt = jwt;
  o.limits.max_content_bytes = c.max_message_size;
  o.rate_limits.events = TokenRate{c.event_rate, static_cast<double>(c.event_burst)};
  o.rate_limits.max_refused = c.max_refused_events;
  o.rate_limits.max_sockets_per_user = c.max_sockets_per_user;
  o.shards = pool.executors();
  return o;
}

messenger::rest::RestOptions rest_options(const app::Config& c, const messenger::Options& m) {
  messenger::rest::RestOptions o;
  o.cors_origins = c.cors_origins;
  o.limits = m.limits;
  o.lookups.shop_service = c.shop_service;
  o.lookups.account_service = c.account_service;
  o.lookups.timeout = std::chrono::milliseconds(c.lookup_timeout_ms);
  return o;
}

// The store URL without its password, for logs ("postgres://user:secret@h/db" ->
// "postgres://user:***@h/db").
std::string redacted(std::string url) {
  auto scheme_end = url.find("://");
  auto at = url.find('@');
  if (scheme_end == std::string::npos || at == std::string::npos) return url;
  auto colon = url.find(':', scheme_end + 3);
  if (colon != std::string::npos && colon < at) url.replace(colon + 1, at - colon - 1, "***");
  return url;
}

// How long a cluster node waits for its Redis subscription before it serves anyway.
constexpr std::chrono::milliseconds kRedisWait{5000};

int run(const app::Config& config, const app::ServerExtras& extras) {
  app::ShutdownDeadline deadline;  // first: destroyed last, it also covers the destructors
  net::IoPool pool(config.threads);
  auto store = store::open_store(config.store);

  socketio::Server sockets(pool.executors());
  // Cluster mode: broadcasts also go through Redis (set before the first namespace exists).
  std::shared_ptr<cluster::RedisBus> redis;
  std::shared_ptr<cluster::RedisPresence> presence;  // who is online, cluster-wide
  if (!config.redis.empty()) {
    redis = cluster::join_cluster(sockets, config.redis, pool.executor(0),
                                  std::chrono::milliseconds(config.publish_timeout_ms));
    cluster::RedisPresenceOptions p;
    p.ttl = std::chrono::milliseconds(config.presence_ttl_ms);
    presence = cluster::start_redis_presence(config.redis, pool.executor(0), p);
  }
  if (extras.add_namespaces) extras.add_namespaces(sockets);
  auto jwt = jwt_options(config);
  auto options = messenger_options(config, pool, jwt);
  options.presence = presence;
  auto rest = rest_options(config, options);
  // Sockets' create_room looks up shop and buyer details as POST /v1/rooms does, one cache.
  options.room_details = messenger::room_details_source(
      std::make_shared<const messenger::DetailsLookup>(rest.lookups, rest.details));
  rest.room_details = options.room_details;
  auto messenger = messenger::install(sockets, *store, std::move(options));
  messenger::JwtVerifier rest_jwt(jwt);

  engineio::Server engine(pool, sockets, engineio_options(config));
  net::Router router;
  router.add("/socket.io/", std::shared_ptr<net::HttpHandler>(&engine, [](auto*) {}));
  router.add("/healthz", net::make_health_handler());
  auto ops = app::install_operations(router, app::OpsSources{engine, *store, redis});
  messenger::rest::install(router, *store, rest_jwt, messenger->conversations(), std::move(rest));
  app::install_web_client(router, config, jwt.hs256_secret);

  net::HttpServer http(pool, router, http_options(config));
  http.open();

  // Graceful stop: no new sessions, every Engine.IO session closed cleanly (a close packet, or
  // WebSocket close 1001: clients reconnect, to another node or to our restart); once none is
  // left (at most half the timeout) no new connections and the responses in flight finish (a
  // quarter); then the store commits what is queued (store->shutdown() below). All of it within
  // the timeout, or the deadline ends the process.
  const std::chrono::milliseconds shutdown_timeout(config.shutdown_timeout_ms);
  boost::asio::signal_set signals(pool.context(0), SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    deadline.arm(shutdown_timeout);
    spdlog::info("shutdown: signal {}: closing sessions, then committing queued writes", signal);
    // The HTTP server stops once every session is gone (it lets responses finish).
    engine.drain(shutdown_timeout / 2,
                 [&] { http.stop(shutdown_timeout / 4, [&] { pool.stop(); }); });
  });
  std::signal(SIGPIPE, SIG_IGN);
  // Printed whatever the log level, and only once the signal handler is in place and the server
  // accepts: scripts and test harnesses wait for this line and may send SIGTERM as soon as they
  // read it.
  auto serve = [&] {
    http.start();
    app::print_notice(
        fmt::format("cz-messenger listening on http://{}:{} ({} I/O threads, store {})",
                    config.host, http.port(), pool.size(), redacted(config.store)));
  };
  if (redis) {
    // A cluster node serves once it receives the other nodes' broadcasts (or Redis is down).
    redis->when_subscribed(kRedisWait, [&](bool subscribed) {
      if (!subscribed)
        spdlog::warn("redis: no subscription after {} s; serving alone until Redis answers",
                     std::chrono::duration_cast<std::chrono::seconds>(kRedisWait).count());
      serve();
    });
  } else {
    serve();
  }

  pool.run();
  if (redis) redis->stop();
  if (presence) presence->stop();
  const auto queued = store->stats().queued_writes;
  if (queued > 0) spdlog::info("shutdown: committing {} queued writes", queued);
  store->shutdown();
  ops.reset();  // its metrics read the store and the engine
  spdlog::info("stopped");
  return 0;
}

}  // namespace

namespace cz::app {

int server_main(int argc, char** argv, const ServerExtras& extras) {
  int exit_code = 0;
  auto config = parse_config(argc, argv, exit_code);
  if (!config) return exit_code;
  configure_logging(config->log_level, config->log_format);
  if (!config->config_file.empty()) spdlog::info("config: read {}", config->config_file);
  try {
    return run(*config, extras);
  } catch (const std::exception& e) {
    spdlog::critical("cannot start: {}", e.what());
    return 1;
  }
}

}  // namespace cz::app
