#pragma once
// Internal: one HTTP/1.1 keep-alive connection, and the exchange (request awaiting its
// response) it hands to the handler.
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <memory>
#include <optional>
#include <string>

#include "net/http.hpp"
#include "net/server_state.hpp"

namespace cz::net {

class HttpSession;

class ExchangeImpl final : public HttpExchange {
 public:
  ExchangeImpl(std::shared_ptr<HttpSession> session, Request request, std::uint64_t generation);
  ~ExchangeImpl() override;

  const Request& request() const override { return request_; }
  const std::string& remote_address() const override;
  ShardId shard() const override;
  boost::asio::any_io_executor executor() const override;
  void respond(Response response) override;
  bool is_websocket_upgrade() const override;
  std::shared_ptr<WebSocket> accept_websocket() override;
  std::shared_ptr<WebSocket> accept_websocket(ShardId target) override;
  void set_abort_handler(std::function<void()> handler) override;

  // The client went away before the response (called on the session's thread).
  void abort();

 private:
  std::shared_ptr<HttpSession> session_;
  Request request_;
  std::uint64_t generation_;
  std::atomic<bool> done_{false};
  std::function<void()> abort_handler_;
};

class HttpSession final : public ServerConnection,
                          public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<ServerState> state, ShardId shard,
              boost::asio::ip::tcp::socket socket);
  ~HttpSession() override { headers_done(); }

  // Registers with the server and reads the first request. Call on the shard thread.
  void begin();
  void shutdown() override;

  ShardId shard() const { return shard_; }
  boost::asio::io_context& context() const { return ctx_; }
  const std::string& remote_address() const { return remote_address_; }

  // For ExchangeImpl, on the shard thread.
  void send_response(std::uint64_t generation, Response response);
  std::shared_ptr<WebSocket> upgrade(std::uint64_t generation, const Request& request,
                                     ShardId target);

 private:
  void read_request();
  void read_header();
  void headers_done();  // leaves state_->pending_headers
  void on_header(const boost::system::error_code& ec);
  void read_body();
  void on_body(const boost::system::error_code& ec);
  void dispatch();
  void watch_for_disconnect();
  void check_disconnect(std::uint64_t generation);
  void write(Response response, bool close_after);
  void reject(http::status status, std::string_view message);
  void close();

  std::shared_ptr<ServerState> state_;
  ShardId shard_;
  boost::asio::io_context& ctx_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<Response> response_;  // being written
  std::weak_ptr<ExchangeImpl> exchange_;
  std::string remote_address_;
  std::uint64_t generation_ = 0;  // counts requests; a stale exchange cannot answer a later one
  bool awaiting_response_ = false;
  bool request_keep_alive_ = false;
  bool head_request_ = false;
  bool closed_ = false;
  bool stopping_ = false;
  bool waiting_for_headers_ = false;  // counted in state_->pending_headers
};

}  // namespace cz::net
