// A minimal asynchronous HTTP/1.1 GET for the optional detail lookups (lookup.hpp): resolve,
// connect, write, read, all on the caller's executor, bounded by one overall deadline and a
// response size limit.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "messenger/lookup.hpp"

namespace cz::messenger {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class GetOperation : public std::enable_shared_from_this<GetOperation> {
 public:
  GetOperation(asio::any_io_executor executor, HttpUrl url, std::size_t max_body_bytes,
               std::function<void(unsigned, std::string)> done)
      : resolver_(executor),
        stream_(executor),
        deadline_(executor),
        url_(std::move(url)),
        done_(std::move(done)) {
    parser_.body_limit(max_body_bytes);
    request_.version(11);
    request_.method(http::verb::get);
    request_.target(url_.target);
    request_.set(http::field::host, url_.host + ":" + std::to_string(url_.port));
    request_.set(http::field::accept, "application/json");
    request_.set(http::field::user_agent, "cz-messenger");
    request_.keep_alive(false);
  }

  void start(std::chrono::milliseconds timeout) {
    deadline_.expires_after(timeout);
    deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->abort();
    });
    resolver_.async_resolve(
        url_.host, std::to_string(url_.port),
        [self = shared_from_this()](const boost::system::error_code& ec,
                                    const tcp::resolver::results_type& results) {
          if (ec) return self->finish(0, {});
          self->stream_.async_connect(
              results, [self](const boost::system::error_code& ec, const tcp::endpoint&) {
                if (ec) return self->finish(0, {});
                self->write();
              });
        });
  }

 private:
  void write() {
    http::async_write(
        stream_, request_,
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
          if (ec) return self->finish(0, {});
          self->read();
        });
  }

  void read() {
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                       if (ec) return self->finish(0, {});
                       auto& res = self->parser_.get();
                       self->finish(res.result_int(), std::move(res.body()));
                     });
  }

  void abort() {
    resolver_.cancel();
    beast::error_code ignored;
    stream_.socket().close(ignored);
    finish(0, {});
  }

  void finish(unsigned status, std::string body) {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    done_(status, std::move(body));
  }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  asio::steady_timer deadline_;
  HttpUrl url_;
  std::function<void(unsigned, std::string)> done_;
  http::request<http::empty_body> request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  bool finished_ = false;
};

}  // namespace

void http_get(asio::any_io_executor executor, const HttpUrl& url, std::chrono::milliseconds timeout,
              std::size_t max_body_bytes, std::function<void(unsigned, std::string)> done) {
  auto op =
      std::make_shared<GetOperation>(std::move(executor), url, max_body_bytes, std::move(done));
  op->start(timeout);
}

}  // namespace cz::messenger
