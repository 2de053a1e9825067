#pragma once
// The node's link to Redis pub/sub: one publisher and one subscriber connection (a subscribed
// Redis connection can send nothing but (un)subscribe commands), both on one I/O shard.
//
// publish() and subscribe() are thread-safe: they post to the Redis shard. The subscriber
// re-subscribes every pattern after a reconnect. Messages published while Redis is down are
// dropped (as with the Node adapter); a log line says when the link goes and comes back.
//
// A publish can be confirmed: Redis answers commands on one connection in order, so the
// publishes waiting for their answer are a FIFO with one deadline timer for its head.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "cluster/redis_connection.hpp"
#include "socketio/server.hpp"

namespace cz::cluster {

class RedisBus : public std::enable_shared_from_this<RedisBus> {
 public:
  // Called on the Redis shard with the channel and the message of each PMESSAGE.
  using MessageHandler = std::function<void(std::string_view channel, std::string_view message)>;

  // `executor`: the I/O shard that drives both connections.
  static std::shared_ptr<RedisBus> create(boost::asio::any_io_executor executor,
                                          RedisEndpoint endpoint);
  ~RedisBus();

  // Connects (in the background; retries until Redis answers).
  void start();
  // Disconnects. Call on the Redis shard, or once the I/O threads have stopped.
  void stop();

  // This node's id in broadcast messages (a node ignores its own messages).
  const std::string& uid() const { return uid_; }

  // `confirmed` (optional) runs on the Redis shard: true once Redis has answered the PUBLISH
  // (every node subscribed then has the message), false when it was not sent (not connected),
  // the connection dropped first, or no answer came within the publish timeout.
  using Confirmed = std::function<void(bool published)>;
  void publish(std::string channel, std::string message, Confirmed confirmed = {});
  // How long a publish waits for Redis's answer before it counts as unconfirmed (default 2 s).
  // Call before start().
  void set_publish_timeout(std::chrono::milliseconds timeout) { publish_timeout_ = timeout; }
  void psubscribe(std::string pattern, MessageHandler handler);
  // After this returns the handler is not running and will not be called again.
  void punsubscribe(const std::string& pattern);

  // For socketio::Server::set_adapter_factory: a RedisAdapter per namespace.
  socketio::AdapterFactory adapter_factory();

  // Thread-safe.
  bool publisher_connected() const { return publisher_->connected(); }
  bool subscriber_connected() const { return subscriber_->connected(); }

  // Calls `ready(true)` on the Redis shard once both connections are up and Redis has confirmed
  // every pattern subscribed so far, or `ready(false)` if that has not happened within
  // `timeout` (Redis down: the node can serve alone and catches up when Redis comes). A node
  // that accepted clients before then would not deliver them other nodes' broadcasts. One
  // pending callback at a time; call after start().
  void when_subscribed(std::chrono::milliseconds timeout, std::function<void(bool)> ready);

 private:
  RedisBus(boost::asio::any_io_executor executor, RedisEndpoint endpoint);
  void send_psubscribe(const std::string& pattern);
  void dispatch(struct redisReply* reply);
  // Shard only: a PSUBSCRIBE was confirmed. check_ready() fires the readiness callback once
  // both connections are up and no subscription is pending.
  void confirmed(std::string_view pattern);
  void check_ready();
  void fire_ready(bool subscribed);
  // Shard only: the confirmations of publishes (see Confirmed).
  void await_answer(std::uint64_t seq, Confirmed confirmed);
  void answered(std::uint64_t seq, bool published);
  // Pops the oldest awaited publish and tells its caller (counted when not published).
  void settle_oldest(bool published);
  void arm_publish_deadline();
  void expire_publishes();

  boost::asio::any_io_executor executor_;
  std::string uid_;
  std::shared_ptr<RedisConnection> publisher_;
  std::shared_ptr<RedisConnection> subscriber_;
  // Guards handlers_; held while a handler runs so that punsubscribe can wait it out.
  // Set by stop(): nothing more is posted, so that no task holding the bus is left in a stopped
  // io_context's queue.
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;
  std::unordered_map<std::string, MessageHandler> handlers_;

  // Readiness (shard only): patterns sent since the subscriber last connected and not yet
  // confirmed; whether all were confirmed once; the callback waiting for that.
  std::unordered_set<std::string> unconfirmed_;
  bool subscribed_once_ = false;
  std::function<void(bool)> ready_;
  boost::asio::steady_timer ready_timeout_;

  // Publishes waiting for Redis's answer, oldest first (shard only).
  struct AwaitedPublish {
    std::uint64_t seq;
    std::chrono::steady_clock::time_point deadline;
    Confirmed confirmed;
  };
  std::deque<AwaitedPublish> awaited_;
  std::uint64_t next_publish_seq_ = 0;
  std::chrono::milliseconds publish_timeout_{2000};
  boost::asio::steady_timer publish_deadline_;
  bool publish_deadline_armed_ = false;
  std::chrono::steady_clock::time_point last_expiry_log_{};
};

// Joins `server` to the cluster on Redis at `url` (redis://host:port): installs the adapter
// factory (call before the first Server::of()) and starts connecting on `executor`. Throws
// std::invalid_argument for a malformed URL. Keep the result alive as long as the server, and
// call stop() on it once the I/O threads have stopped.
std::shared_ptr<RedisBus> join_cluster(
    socketio::Server& server, std::string_view url, boost::asio::any_io_executor executor,
    std::chrono::milliseconds publish_timeout = std::chrono::milliseconds(2000));

}  // namespace cz::cluster
