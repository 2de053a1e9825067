#include "net/http_session.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "net/http_util.hpp"
#include "net/websocket_frame.hpp"
#include "net/websocket_session.hpp"

namespace cz::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;

// ---------------------------------------------------------------------------------------------
// ExchangeImpl

ExchangeImpl::ExchangeImpl(std::shared_ptr<HttpSession> session, Request request,
                           std::uint64_t generation)
    : session_(std::move(session)), request_(std::move(request)), generation_(generation) {}

ExchangeImpl::~ExchangeImpl() {
  if (done_.load()) return;
  // A handler dropped the request without answering: answer for it rather than leave the
  // connection hanging.
  auto response =
      make_json_error(request_, http::status::internal_server_error, "INTERNAL", "No response");
  asio::post(session_->context(),
             [session = session_, generation = generation_, r = std::move(response)]() mutable {
               session->send_response(generation, std::move(r));
             });
}

const std::string& ExchangeImpl::remote_address() const {
  return session_->remote_address();
}

ShardId ExchangeImpl::shard() const {
  return session_->shard();
}

asio::any_io_executor ExchangeImpl::executor() const {
  return session_->context().get_executor();
}

void ExchangeImpl::respond(Response response) {
  if (done_.exchange(true)) return;
  if (session_->context().get_executor().running_in_this_thread()) {
    session_->send_response(generation_, std::move(response));
    return;
  }
  asio::post(session_->context(),
             [session = session_, generation = generation_, r = std::move(response)]() mutable {
               session->send_response(generation, std::move(r));
             });
}

bool ExchangeImpl::is_websocket_upgrade() const {
  if (!beast::websocket::is_upgrade(request_)) return false;
  if (request_[http::field::sec_websocket_version] != "13") return false;
  // The key is 16 random bytes in base64: 22 characters and "==".
  const auto key = request_[http::field::sec_websocket_key];
  return key.size() == 24 && key.ends_with("==");
}

std::shared_ptr<WebSocket> ExchangeImpl::accept_websocket() {
  return accept_websocket(shard());
}

std::shared_ptr<WebSocket> ExchangeImpl::accept_websocket(ShardId target) {
  if (!is_websocket_upgrade()) return nullptr;
  if (!session_->context().get_executor().running_in_this_thread()) return nullptr;
  if (done_.exchange(true)) return nullptr;
  return session_->upgrade(generation_, request_, target);
}

void ExchangeImpl::set_abort_handler(std::function<void()> handler) {
  abort_handler_ = std::move(handler);
}

void ExchangeImpl::abort() {
  if (done_.load()) return;
  if (auto handler = std::move(abort_handler_)) handler();
}

// ---------------------------------------------------------------------------------------------
// HttpSession

HttpSession::HttpSession(std::shared_ptr<ServerState> state, ShardId shard,
                         asio::ip::tcp::socket socket)
    : state_(std::move(state)),
      shard_(shard),
      ctx_(state_->pool.context(shard)),
      stream_(std::move(socket)) {
  error_code ec;
  const auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) remote_address_ = endpoint.address().to_string();
}

void HttpSession::begin() {
  error_code ec;
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  // Non-blocking so that the disconnect check can peek without blocking the thread.
  stream_.socket().non_blocking(true, ec);
  state_->add(shard_, shared_from_this());
  if (state_->stopping.load()) stopping_ = true;
  read_request();
}

void HttpSession::shutdown() {
  stopping_ = true;
  // Idle (between requests): close now. Otherwise the response in progress is sent with
  // "Connection: close" and the connection ends after it.
  if (!awaiting_response_ && !response_) close();
}

void HttpSession::read_request() {
  if (closed_) return;
  if (stopping_) {
    close();
    return;
  }
  if (generation_ == 0 || buffer_.size() > 0) {
    read_header();
    return;
  }
  // Between keep-alive requests: the wait for the next one is idle_timeout; its headers get
  // header_timeout from their first byte.
  static constexpr std::size_t kFirstRead = 4096;
  stream_.expires_after(state_->options.idle_timeout);
  stream_.async_read_some(buffer_.prepare(kFirstRead),
                          [self = shared_from_this()](const error_code& ec, std::size_t n) {
                            if (self->closed_) return;
                            if (ec) {
                              self->close();
                              return;
                            }
                            self->buffer_.commit(n);
                            self->read_header();
                          });
}

void HttpSession::read_header() {
  if (!waiting_for_headers_) {
    if (!state_->pending_headers.enter(remote_address_)) {
      spdlog::debug("http: {} has {} connections with incomplete headers, closing another",
                    remote_address_, state_->options.max_pending_headers_per_ip);
      close();
      return;
    }
    waiting_for_headers_ = true;
  }
  parser_.emplace();
  parser_->header_limit(state_->options.header_limit);
  parser_->body_limit(state_->options.body_limit);
  stream_.expires_after(state_->options.header_timeout);
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_header(ec); });
}

void HttpSession::headers_done() {
  if (!waiting_for_headers_) return;
  waiting_for_headers_ = false;
  state_->pending_headers.leave(remote_address_);
}

namespace {

// Maps a read error to the status to answer with, or nullopt when the connection just ends.
std::optional<http::status> status_for_read_error(const error_code& ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
      ec == asio::error::operation_aborted || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == http::error::partial_message)
    return std::nullopt;
  if (ec == http::error::body_limit) return http::status::payload_too_large;
  if (ec == http::error::header_limit) return http::status::request_header_fields_too_large;
  // Any other parser error: the request is malformed.
  if (ec.category() == http::make_error_code(http::error::bad_target).category())
    return http::status::bad_request;
  return std::nullopt;
}

}  // namespace

void HttpSession::on_header(const error_code& ec) {
  headers_done();
  if (closed_) return;
  if (ec) {
    if (auto status = status_for_read_error(ec)) {
      reject(*status,
             status == http::status::payload_too_large ? "Request body too large" : "Bad request");
    } else {
      close();
    }
    return;
  }
  if (parser_->is_done()) {
    dispatch();
    return;
  }
  stream_.expires_after(state_->options.read_timeout);
  if (beast::iequals(parser_->get()[http::field::expect], "100-continue")) {
    // The client (curl, for one) waits for this before sending a larger body.
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](const error_code& ec, std::size_t) {
                        if (ec) {
                          self->close();
                          return;
                        }
                        self->read_body();
                      });
    return;
  }
  read_body();
}

void HttpSession::read_body() {
  if (closed_) return;
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_body(ec); });
}

void HttpSession::on_body(const error_code& ec) {
  if (closed_) return;
  if (ec) {
    if (auto status = status_for_read_error(ec)) {
      reject(*status,
             status == http::status::payload_too_large ? "Request body too large" : "Bad request");
    } else {
      close();
    }
    return;
  }
  dispatch();
}

void HttpSession::dispatch() {
  // While the handler holds the request (a long-poll may wait for many seconds) no timeout
  // applies; a vanished client is noticed by watch_for_disconnect().
  stream_.expires_never();
  Request request = parser_->release();
  parser_.reset();
  request_keep_alive_ = request.keep_alive();
  head_request_ = request.method() == http::verb::head;
  ++generation_;
  awaiting_response_ = true;
  auto exchange =
      std::make_shared<ExchangeImpl>(shared_from_this(), std::move(request), generation_);
  exchange_ = exchange;
  try {
    state_->handler.handle(exchange);
  } catch (const std::exception& e) {
    spdlog::error("http: handler threw: {}", e.what());
    exchange->respond(make_json_error(exchange->request(), http::status::internal_server_error,
                                      "INTERNAL", "Internal error"));
  }
  exchange.reset();
  if (awaiting_response_ && !closed_) watch_for_disconnect();
}

void HttpSession::watch_for_disconnect() {
  check_disconnect(generation_);
}

void HttpSession::check_disconnect(std::uint64_t generation) {
  if (closed_ || !awaiting_response_ || generation != generation_) return;
  // Peek rather than wait first: with an edge-triggered reactor a readiness that was already
  // reported (e.g. the FIN right behind the request) would never be reported again.
  char byte;
  error_code ec;
  const std::size_t n =
      stream_.socket().receive(asio::buffer(&byte, 1), asio::socket_base::message_peek, ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    stream_.socket().async_wait(asio::socket_base::wait_read,
                                [self = shared_from_this(), generation](const error_code& ec) {
                                  if (ec) return;
                                  self->check_disconnect(generation);
                                });
    return;
  }
  if (!ec && n > 0) return;  // a pipelined request: read after the response
  // EOF or error: the client is gone.
  if (auto exchange = exchange_.lock()) exchange->abort();
  close();
}

void HttpSession::send_response(std::uint64_t generation, Response response) {
  if (closed_ || generation != generation_ || !awaiting_response_) return;
  awaiting_response_ = false;
  const bool keep_alive = request_keep_alive_ && response.keep_alive() && !stopping_;
  response.keep_alive(keep_alive);
  // HEAD: the headers of the GET, no body. A handler that answered HEAD itself (no body, the
  // GET's Content-Length set) keeps its length.
  if (!(head_request_ && response.body().empty() && response.has_content_length()))
    response.prepare_payload();
  if (head_request_) response.body().clear();
  write(std::move(response), !keep_alive);
}

void HttpSession::write(Response response, bool close_after) {
  response_.emplace(std::move(response));
  stream_.expires_after(state_->options.read_timeout);
  http::async_write(stream_, *response_,
                    [self = shared_from_this(), close_after](const error_code& ec, std::size_t) {
                      self->response_.reset();
                      if (ec || close_after) {
                        self->close();
                        return;
                      }
                      self->read_request();
                    });
}

void HttpSession::reject(http::status status, std::string_view message) {
  awaiting_response_ = false;
  Request dummy;
  dummy.version(11);
  auto response = make_json_error(dummy, status, "BAD_REQUEST", message);
  response.keep_alive(false);
  write(std::move(response), true);
}

void HttpSession::close() {
  headers_done();
  if (closed_) return;
  closed_ = true;
  error_code ec;
  stream_.socket().shutdown(asio::socket_base::shutdown_both, ec);
  stream_.close();
  state_->remove(shard_, this);
  if (awaiting_response_) {
    awaiting_response_ = false;
    if (auto exchange = exchange_.lock()) exchange->abort();
  }
}

std::shared_ptr<WebSocket> HttpSession::upgrade(std::uint64_t generation, const Request& request,
                                                ShardId target) {
  if (closed_ || generation != generation_ || !awaiting_response_) return nullptr;
  if (target >= state_->pool.size()) return nullptr;
  // permessage-deflate (and any other extension) is declined by not answering it.
  std::string response =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  response += ws::accept_key(request[http::field::sec_websocket_key]);
  response += "\r\n\r\n";
  std::string leftover(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  buffer_.consume(buffer_.size());

  awaiting_response_ = false;
  closed_ = true;  // this object is done; the socket lives on in the WebSocket
  state_->remove(shard_, this);
  stream_.expires_never();
  asio::ip::tcp::socket socket = stream_.release_socket();

  if (target == shard_) {
    auto ws = std::make_shared<WebSocketSession>(state_, target, std::move(socket),
                                                 std::move(response), std::move(leftover));
    ws->begin();
    return ws;
  }
  // Move the connection to the target shard: hand the descriptor over to that io_context.
  error_code ec;
  const auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) return nullptr;
  const int fd = socket.release(ec);
  if (ec) return nullptr;
  asio::ip::tcp::socket moved(state_->pool.context(target));
  moved.assign(protocol, fd, ec);
  if (ec) {
    ::close(fd);
    return nullptr;
  }
  auto ws = std::make_shared<WebSocketSession>(state_, target, std::move(moved),
                                               std::move(response), std::move(leftover));
  asio::post(state_->pool.context(target), [ws] { ws->begin(); });
  return ws;
}

}  // namespace cz::net
