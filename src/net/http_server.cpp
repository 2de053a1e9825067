#include "net/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "net/http_session.hpp"
#include "net/server_state.hpp"

namespace cz::net {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(IoPool& pool, HttpHandler& handler, HttpServerOptions options)
      : state(std::make_shared<ServerState>(pool, handler, std::move(options))),
        acceptor(pool.context(0)),
        retry_timer(pool.context(0)) {}

  std::shared_ptr<ServerState> state;
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;  // after an accept error such as EMFILE
  std::uint16_t port = 0;

  void accept() {
    if (state->stopping.load()) return;
    const ShardId shard = state->pool.next_shard();
    acceptor.async_accept(
        state->pool.executor(shard),
        [self = shared_from_this(), shard](const error_code& ec, tcp::socket socket) {
          self->on_accept(ec, shard, std::move(socket));
        });
  }

  void on_accept(const error_code& ec, ShardId shard, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || state->stopping.load()) return;
    if (ec) {
      // Out of descriptors and the like: back off briefly instead of spinning.
      spdlog::warn("http: accept failed: {}", ec.message());
      retry_timer.expires_after(std::chrono::milliseconds(100));
      retry_timer.async_wait([self = shared_from_this()](const error_code& e) {
        if (!e) self->accept();
      });
      return;
    }
    auto session = std::make_shared<HttpSession>(state, shard, std::move(socket));
    asio::post(state->pool.context(shard), [session] { session->begin(); });
    accept();
  }

  void stop(std::chrono::milliseconds grace, std::function<void()> done) {
    state->stopping.store(true);
    error_code ec;
    acceptor.close(ec);
    retry_timer.cancel();
    for (ShardId s = 0; s < state->pool.size(); ++s) {
      asio::post(state->pool.context(s), [st = state, s] {
        // Copy first: shutdown() may unregister connections while we iterate.
        std::vector<std::shared_ptr<ServerConnection>> live;
        for (auto& [ptr, weak] : st->shards[s].connections)
          if (auto c = weak.lock()) live.push_back(std::move(c));
        for (auto& c : live) c->shutdown();
      });
    }
    auto timer = std::make_shared<asio::steady_timer>(state->pool.context(0));
    const auto deadline = std::chrono::steady_clock::now() + grace;
    wait_drained(timer, deadline, std::move(done));
  }

  void wait_drained(std::shared_ptr<asio::steady_timer> timer,
                    std::chrono::steady_clock::time_point deadline, std::function<void()> done) {
    if (state->live.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
      if (done) done();
      return;
    }
    timer->expires_after(std::chrono::milliseconds(20));
    timer->async_wait([self = shared_from_this(), timer, deadline,
                       done = std::move(done)](const error_code&) mutable {
      self->wait_drained(timer, deadline, std::move(done));
    });
  }
};

HttpServer::HttpServer(IoPool& pool, HttpHandler& handler, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(pool, handler, std::move(options))) {}

HttpServer::~HttpServer() {
  error_code ec;
  impl_->acceptor.close(ec);
}

void HttpServer::open() {
  auto& acceptor = impl_->acceptor;
  if (acceptor.is_open()) return;
  const auto& opts = impl_->state->options;
  const tcp::endpoint endpoint(asio::ip::make_address(opts.host), opts.port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(opts.backlog);
  impl_->port = acceptor.local_endpoint().port();
}

void HttpServer::start() {
  open();
  // The first accept is started on shard 0's thread (the acceptor's), like every later one.
  asio::post(impl_->state->pool.context(0), [impl = impl_] { impl->accept(); });
}

std::uint16_t HttpServer::port() const {
  return impl_->port;
}

const HttpServerOptions& HttpServer::options() const {
  return impl_->state->options;
}

void HttpServer::stop(std::chrono::milliseconds grace, std::function<void()> done) {
  asio::post(impl_->state->pool.context(0),
             [impl = impl_, grace, done = std::move(done)]() mutable {
               impl->stop(grace, std::move(done));
             });
}

std::size_t HttpServer::connection_count() const {
  return impl_->state->live.load();
}

}  // namespace cz::net
