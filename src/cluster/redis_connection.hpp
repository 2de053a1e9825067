#pragma once
// One hiredis async connection driven by an Asio executor (an I/O shard of the server).
//
// hiredis tells us when it wants to read or write through its ev hooks; we map them onto
// posix::stream_descriptor::async_wait on the same socket, and call redisAsyncHandleRead/Write
// when it is ready. Everything runs on the one executor given, so hiredis is never touched by
// two threads. When the connection drops (Redis restarts), it reconnects with a growing delay
// and calls on_connected again (so that a subscriber can subscribe again).
//
// Create with std::make_shared; call start() and stop() on the executor (or before/after it runs).
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/metrics.hpp"

struct redisAsyncContext;
struct redisReply;

namespace cz::cluster {

struct RedisEndpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
};

// Parses `redis://host:port` (port defaults to 6379); nullopt when malformed.
std::optional<RedisEndpoint> parse_redis_url(std::string_view url);

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  // A reply, or null when the connection went away before the reply came.
  using ReplyHandler = std::function<void(redisReply*)>;

  RedisConnection(boost::asio::any_io_executor executor, RedisEndpoint endpoint, std::string name);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Called (on the executor) each time the connection is (re)established.
  void on_connected(std::function<void()> handler) { on_connected_ = std::move(handler); }

  void start();
  void stop();
  // Thread-safe (a moment's picture from other threads).
  bool connected() const { return connected_.load(std::memory_order_relaxed); }
  const boost::asio::any_io_executor& executor() const { return executor_; }

  // Sends a command (binary-safe arguments); false when not connected (the command is dropped:
  // pub/sub is fire-and-forget, as in the Node adapter). Executor thread only. A handler of a
  // (P)SUBSCRIBE command is called for every message that follows.
  bool command(const std::vector<std::string_view>& args, ReplyHandler handler = {});

 private:
  struct Watcher;  // the Asio side of the hiredis ev hooks
  struct Pending {
    ReplyHandler handler;
    bool persistent;  // (P)SUBSCRIBE: one call per message, until the connection goes
  };

  void connect();
  void schedule_reconnect();
  void handle_connect(int status);
  void handle_disconnect(int status);
  static void connect_callback(const redisAsyncContext* ac, int status);
  static void disconnect_callback(const redisAsyncContext* ac, int status);
  static void reply_callback(redisAsyncContext* ac, void* reply, void* privdata);

  boost::asio::any_io_executor executor_;
  RedisEndpoint endpoint_;
  std::string name_;
  boost::asio::steady_timer reconnect_timer_;
  std::chrono::milliseconds backoff_{100};
  redisAsyncContext* context_ = nullptr;
  std::shared_ptr<Watcher> watcher_;
  std::function<void()> on_connected_;
  // Reply handlers by id; hiredis gets the id as privdata, so a late callback finds nothing
  // instead of a dangling pointer.
  std::unordered_map<std::uintptr_t, Pending> pending_;
  std::uintptr_t next_id_ = 1;
  std::atomic<bool> connected_{false};
  bool stopped_ = false;
  bool ever_connected_ = false;
  metrics::Counter& reconnects_;  // cz_redis_reconnects_total{connection=name_}
};

}  // namespace cz::cluster
