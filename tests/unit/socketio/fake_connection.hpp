#pragma once
// A test double of our own engineio::SessionHandle interface: records what Socket.IO sends and
// lets a test play the client's side. (The real Engine.IO sessions are exercised end to end.)
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "engineio/session_handle.hpp"

namespace cz::socketio::testing {

struct SentMessage {
  SharedBuffer buffer;
  bool binary;
  const std::string& text() const { return *buffer; }
};

class FakeConnection : public engineio::SessionHandle {
 public:
  FakeConnection(std::string id, net::ShardId shard, boost::asio::io_context& io,
                 engineio::HandshakeInfo handshake = {})
      : id_(std::move(id)), shard_(shard), io_(io), handshake_(std::move(handshake)) {}

  const std::string& id() const override { return id_; }
  net::ShardId shard() const override { return shard_; }
  boost::asio::any_io_executor executor() const override { return io_.get_executor(); }
  const engineio::HandshakeInfo& handshake() const override { return handshake_; }
  void set_listener(std::shared_ptr<engineio::SessionListener> listener) override {
    listener_ = std::move(listener);
  }
  void send(SharedBuffer packet, bool binary) override {
    std::lock_guard lock(mutex_);
    sent_.push_back(SentMessage{std::move(packet), binary});
  }
  void close() override {
    {
      std::lock_guard lock(mutex_);
      ++close_calls_;
    }
    // As the real session: the end is reported on the shard thread, once.
    boost::asio::post(io_, [this] { report_close("forced close"); });
  }

  // --- the client's side (call on the shard thread, or through the helpers below) ---
  void receive(std::string_view text) {
    if (listener_) listener_->on_message(text, false);
  }
  void receive_binary(std::string_view bytes) {
    if (listener_) listener_->on_message(bytes, true);
  }
  void report_close(std::string_view reason) {
    if (closed_) return;
    closed_ = true;
    if (listener_) listener_->on_close(reason);
  }
  // Breaks the listener <-> connection cycle at the end of a test.
  void release() { listener_.reset(); }

  std::vector<SentMessage> sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
  }
  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (const auto& m : sent()) out.push_back(m.binary ? "<binary>" + *m.buffer : *m.buffer);
    return out;
  }
  void clear_sent() {
    std::lock_guard lock(mutex_);
    sent_.clear();
  }
  int close_calls() const {
    std::lock_guard lock(mutex_);
    return close_calls_;
  }
  bool has_listener() const { return listener_ != nullptr; }

 private:
  std::string id_;
  net::ShardId shard_;
  boost::asio::io_context& io_;
  engineio::HandshakeInfo handshake_;
  std::shared_ptr<engineio::SessionListener> listener_;
  bool closed_ = false;
  mutable std::mutex mutex_;
  std::vector<SentMessage> sent_;
  int close_calls_ = 0;
};

// Runs `f` on the thread of `io` (which another thread is running) and waits for it.
template <typename F>
auto run_on(boost::asio::io_context& io, F&& f) {
  using R = decltype(f());
  std::promise<R> promise;
  auto future = promise.get_future();
  boost::asio::post(io, [&] {
    if constexpr (std::is_void_v<R>) {
      f();
      promise.set_value();
    } else {
      promise.set_value(f());
    }
  });
  return future.get();
}

}  // namespace cz::socketio::testing
