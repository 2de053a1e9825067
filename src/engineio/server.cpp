#include "engineio/server.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "engineio/error_response.hpp"
#include "engineio/metrics.hpp"
#include "engineio/server_context.hpp"
#include "engineio/session.hpp"
#include "engineio/session_id.hpp"
#include "net/http_util.hpp"
#include "util/query.hpp"

namespace cz::engineio {

namespace asio = boost::asio;
namespace http = net::http;

namespace {

HandshakeInfo make_handshake_info(const net::HttpExchange& exchange, query::Params query,
                                  std::string_view transport) {
  HandshakeInfo info;
  const auto& req = exchange.request();
  info.url = std::string(req.target());
  info.query = std::move(query).items();
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    info.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  info.remote_address = exchange.remote_address();
  info.transport = std::string(transport);
  return info;
}

// The abort handler of a pending GET: tells the session (on its shard) that the client left.
void watch_poll(const std::shared_ptr<net::HttpExchange>& get,
                const std::shared_ptr<Session>& session) {
  get->set_abort_handler([weak = std::weak_ptr<Session>(session), raw = get.get()] {
    auto s = weak.lock();
    if (!s) return;
    asio::post(s->executor(), [s, raw] { s->on_poll_aborted(raw); });
  });
}

}  // namespace

Server::Server(net::IoPool& pool, SessionAcceptor& acceptor, ServerOptions options)
    : context_(std::make_shared<ServerContext>(pool, acceptor, std::move(options))) {}

Server::~Server() {
  // Sessions and the table's context refer to each other; break that (and the listener links)
  // here. Destroy the server only once the I/O threads have stopped (IoPool::run() returned).
  for (auto& session : context_->sessions.take_all()) session->abandon();
}

const ServerOptions& Server::options() const {
  return context_->options;
}

std::size_t Server::session_count() const {
  return context_->sessions.size();
}

TransportCounts Server::transport_counts() const {
  const std::size_t websocket = context_->sessions.count_websocket();
  const std::size_t all = context_->sessions.size();
  // Two passes over the table: a session opened in between may make `all` the larger one only.
  return TransportCounts{all > websocket ? all - websocket : 0, websocket};
}

void Server::close_all() {
  for (auto& session : context_->sessions.snapshot())
    asio::post(session->executor(), [session] { session->shutdown(); });
}

void Server::drain(std::chrono::milliseconds limit, std::function<void()> then) {
  context_->draining.store(true);
  close_all();
  auto timer = std::make_shared<asio::steady_timer>(context_->pool.context(0));
  wait_drained(std::move(timer), std::chrono::steady_clock::now() + limit, std::move(then));
}

void Server::wait_drained(std::shared_ptr<boost::asio::steady_timer> timer,
                          std::chrono::steady_clock::time_point deadline,
                          std::function<void()> then) {
  if (context_->sessions.size() == 0 || std::chrono::steady_clock::now() >= deadline) {
    then();
    return;
  }
  timer->expires_after(std::chrono::milliseconds(10));
  timer->async_wait([this, timer, deadline, then = std::move(then)](const auto&) mutable {
    wait_drained(std::move(timer), deadline, std::move(then));
  });
}

void Server::reject(const std::shared_ptr<net::HttpExchange>& exchange, int code, bool upgrade) {
  auto res = make_error_response(exchange->request(), static_cast<ErrorCode>(code), upgrade);
  if (!upgrade) context_->cors.apply(exchange->request(), res);
  exchange->respond(std::move(res));
}

void Server::handle(std::shared_ptr<net::HttpExchange> exchange) {
  const auto& req = exchange->request();
  // A request asking for an upgrade is judged as one even when its handshake headers are
  // incomplete (accept_websocket then refuses it).
  const bool upgrade = boost::beast::websocket::is_upgrade(req);
  if (req.method() == http::verb::options && context_->cors.enabled() && !upgrade) {
    exchange->respond(context_->cors.preflight(req));
    return;
  }
  // Checks in Node's order: transport, sid, method, protocol version.
  auto query = query::Params::parse_lenient(req.target());
  const auto transport = query.get("transport");
  const auto& o = context_->options;
  const bool known_transport = transport && ((*transport == "polling" && o.allow_polling) ||
                                             (*transport == "websocket" && o.allow_websocket));
  if (!known_transport) {
    reject(exchange, static_cast<int>(ErrorCode::UnknownTransport), upgrade);
    return;
  }
  if (const auto sid = query.get("sid")) {
    handle_existing(std::move(exchange), std::string(*sid), *transport, upgrade);
    return;
  }
  handshake(std::move(exchange), *transport, upgrade);
}

void Server::handle_existing(std::shared_ptr<net::HttpExchange> exchange, const std::string& sid,
                             std::string_view transport, bool upgrade) {
  auto session = context_->sessions.find(sid);
  if (!session) {
    reject(exchange, static_cast<int>(ErrorCode::UnknownSid), upgrade);
    return;
  }
  const std::string_view current = session->on_websocket() ? "websocket" : "polling";
  if (upgrade) {
    // Only polling -> websocket exists.
    if (transport != "websocket" || current != "polling" || !context_->options.allow_upgrades) {
      reject(exchange, static_cast<int>(ErrorCode::BadRequest), true);
      return;
    }
    // The connection moves to the session's shard: one thread owns the session and its socket.
    auto ws = exchange->accept_websocket(session->shard());
    if (!ws) {
      reject(exchange, static_cast<int>(ErrorCode::BadRequest), true);
      return;
    }
    asio::post(session->executor(), [session, ws] { session->on_upgrade(ws); });
    return;
  }
  if (transport != current) {
    reject(exchange, static_cast<int>(ErrorCode::BadRequest), false);
    return;
  }
  const auto method = exchange->request().method();
  if (method == http::verb::get) {
    watch_poll(exchange, session);
    asio::post(session->executor(),
               [session, ex = std::move(exchange)]() mutable { session->on_poll(std::move(ex)); });
  } else if (method == http::verb::post) {
    asio::post(session->executor(),
               [session, ex = std::move(exchange)]() mutable { session->on_data(std::move(ex)); });
  } else {
    reject(exchange, static_cast<int>(ErrorCode::BadRequest), false);
  }
}

void Server::handshake(std::shared_ptr<net::HttpExchange> exchange, std::string_view transport,
                       bool upgrade) {
  const auto& req = exchange->request();
  if (context_->draining.load(std::memory_order_relaxed)) {
    // Shutting down: the client retries later (another node, or this one restarted).
    auto res = net::make_json_error(req, http::status::service_unavailable, "SHUTTING_DOWN",
                                    "Server shutting down");
    if (!upgrade) context_->cors.apply(req, res);
    exchange->respond(std::move(res));
    return;
  }
  if (req.method() != http::verb::get) {
    reject(exchange, static_cast<int>(ErrorCode::BadHandshakeMethod), upgrade);
    return;
  }
  if (transport == "websocket" && !upgrade) {
    reject(exchange, static_cast<int>(ErrorCode::BadRequest), false);
    return;
  }
  if (transport == "polling" && upgrade) {
    reject(exchange, static_cast<int>(ErrorCode::BadRequest), true);
    return;
  }
  if (context_->options.allow_request && !context_->options.allow_request(req)) {
    reject(exchange, static_cast<int>(ErrorCode::Forbidden), upgrade);
    return;
  }
  auto query = query::Params::parse_lenient(req.target());
  const auto eio = query.get("EIO");
  if (!eio || *eio != "4") {
    reject(exchange, static_cast<int>(ErrorCode::UnsupportedProtocolVersion), upgrade);
    return;
  }

  std::shared_ptr<net::WebSocket> ws;
  if (upgrade) {
    ws = exchange->accept_websocket(exchange->shard());
    if (!ws) {
      reject(exchange, static_cast<int>(ErrorCode::BadRequest), true);
      return;
    }
  }
  auto id = generate_session_id();
  auto session = std::make_shared<Session>(
      context_, id, exchange->shard(), make_handshake_info(*exchange, std::move(query), transport));
  context_->sessions.insert(id, session);
  (ws ? engine_metrics().handshakes_websocket : engine_metrics().handshakes_polling).inc();
  if (ws) {
    session->open_websocket(std::move(ws));
  } else {
    watch_poll(exchange, session);
    session->open_polling(std::move(exchange));
  }
}

}  // namespace cz::engineio
