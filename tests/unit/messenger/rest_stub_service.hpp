#pragma once
// A loopback HTTP service for tests of the detail lookups: answers every request with a fixed
// status and body (after an optional delay), counting requests. Runs on its own thread.
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace cz::messenger::rest::testing_support {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

class StubService {
 public:
  StubService(unsigned status, std::string body, std::chrono::milliseconds delay = 0ms)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        status_(status),
        body_(std::move(body)),
        delay_(delay) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~StubService() {
    io_.stop();
    thread_.join();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
  }
  int requests() const { return requests_; }
  std::string last_target() const {
    std::lock_guard lock(mutex_);
    return last_target_;
  }

 private:
  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec) return;
      serve(std::make_shared<tcp::socket>(std::move(socket)));
      accept();
    });
  }
  void serve(std::shared_ptr<tcp::socket> socket) {
    auto buffer = std::make_shared<asio::streambuf>();
    asio::async_read_until(
        *socket, *buffer, "\r\n\r\n",
        [this, socket, buffer](boost::system::error_code ec, std::size_t) {
          if (ec) return;
          ++requests_;
          std::string head(asio::buffers_begin(buffer->data()), asio::buffers_end(buffer->data()));
          {
            std::lock_guard lock(mutex_);
            last_target_ = head.substr(4, head.find(' ', 4) - 4);
          }
          if (delay_ > 0ms) std::this_thread::sleep_for(delay_);
          auto out = std::make_shared<std::string>(
              "HTTP/1.1 " + std::to_string(status_) +
              " X\r\nContent-Type: application/json\r\nContent-Length: " +
              std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_);
          asio::async_write(*socket, asio::buffer(*out),
                            [socket, out](boost::system::error_code, std::size_t) {
                              boost::system::error_code ignored;
                              socket->shutdown(tcp::socket::shutdown_both, ignored);
                            });
        });
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  unsigned status_;
  std::string body_;
  std::chrono::milliseconds delay_;
  std::atomic<int> requests_{0};
  mutable std::mutex mutex_;
  std::string last_target_;
  std::thread thread_;
};

}  // namespace cz::messenger::rest::testing_support
