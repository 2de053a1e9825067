#pragma once
// A SessionAcceptor for tests: echoes every message back on the same session and records
// what happened. Commands (text messages): "close-me" makes the server close the session;
// "burst:N" sends N messages "m0".."mN-1" at once.
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "engineio/session_handle.hpp"

namespace cz::engineio::testing {

struct EchoLog {
  std::mutex mutex;
  std::condition_variable changed;
  int connections = 0;
  std::vector<std::string> messages;  // as received ("<bin>" prefix for binary)
  std::vector<std::string> close_reasons;
  std::vector<HandshakeInfo> handshakes;

  template <typename Pred>
  bool wait(Pred pred, std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, [&] { return pred(*this); });
  }
};

class EchoListener : public SessionListener {
 public:
  EchoListener(std::shared_ptr<SessionHandle> connection, std::shared_ptr<EchoLog> log)
      : connection_(std::move(connection)), log_(std::move(log)) {}

  void on_message(std::string_view data, bool binary) override {
    {
      std::lock_guard lock(log_->mutex);
      log_->messages.push_back(binary ? "<bin>" + std::string(data) : std::string(data));
    }
    log_->changed.notify_all();
    if (!binary && data == "close-me") {
      connection_->close();
      return;
    }
    if (!binary && data.starts_with("burst:")) {
      const int n = std::stoi(std::string(data.substr(6)));
      for (int i = 0; i < n; ++i) connection_->send(make_buffer("4m" + std::to_string(i)), false);
      return;
    }
    connection_->send(make_buffer(binary ? std::string(data) : "4" + std::string(data)), binary);
  }

  void on_close(std::string_view reason) override {
    {
      std::lock_guard lock(log_->mutex);
      log_->close_reasons.emplace_back(reason);
    }
    log_->changed.notify_all();
    connection_.reset();
  }

 private:
  std::shared_ptr<SessionHandle> connection_;
  std::shared_ptr<EchoLog> log_;
};

class EchoAcceptor : public SessionAcceptor {
 public:
  explicit EchoAcceptor(std::shared_ptr<EchoLog> log) : log_(std::move(log)) {}
  void on_connection(std::shared_ptr<SessionHandle> connection) override {
    {
      std::lock_guard lock(log_->mutex);
      ++log_->connections;
      log_->handshakes.push_back(connection->handshake());
    }
    log_->changed.notify_all();
    auto listener = std::make_shared<EchoListener>(connection, log_);
    connection->set_listener(listener);
  }

 private:
  std::shared_ptr<EchoLog> log_;
};

}  // namespace cz::engineio::testing
