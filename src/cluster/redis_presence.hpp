#pragma once
// Cluster-wide presence in Redis: how many sockets each user has on all nodes, the role of the
// user's latest connection and when the user was last seen. A crashed node's users go offline by
// themselves.
//
// Redis layout (prefix `cz:presence:`):
//   user:<user_id>  hash  n:<node epoch> -> sockets of the user on that node
//                         role -> BUYER|SELLER, seen -> last disconnect (epoch ms)
//   alive:<epoch>   string, expires after the TTL; refreshed by the node's heartbeat (TTL/3)
//   beats           hash  <epoch> -> the node's last heartbeat (ms): a dead node's users were
//                         last seen then
//   users:<epoch>   set of the user keys with sockets on that node
// A node's counts only count while its alive key exists: when a node dies its key expires and
// every reader ignores (and deletes) that node's fields, so its users read offline (and are
// announced, below). Connect, disconnect and the status of one user are one EVAL each (Lua,
// atomic), touching one user hash whose size is the number of nodes that user is on.
//
// Epochs: each time the node (re)connects to Redis — or finds its alive key gone, after a stall
// longer than the TTL — it takes a new epoch, deletes the old epoch's alive key (its fields turn
// dead at once) and registers its live counts under the new one. So a Redis restart (data lost)
// or commands dropped while the link was down leave no wrong count behind.
//
// This node's own counts are kept in a LocalPresence as well: while Redis is down, connect/
// disconnect/query are answered from it (this node's users only), and they are what is
// re-registered when Redis comes back.
//
// All Redis work runs on one executor (an I/O shard); callbacks run there.
//
// A dead node's users are announced: at each heartbeat a node takes (SPOP, bounded) the users
// of nodes whose alive key is gone, and those who are offline everywhere now are handed to the
// messenger (on_status_changed), which tells their partners `user_status` offline, as it does on a
// last disconnect. SPOP makes exactly one node announce each user, within a TTL plus a
// heartbeat of the death.
//
// A node that stalls past its TTL without dying has its users announced offline too; when it
// comes back it registers them again and has them announced (online) once more.
//
// Limits: standalone Redis (or Sentinel) only: the scripts read keys they do not declare,
// which Redis Cluster would refuse.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "cluster/redis_connection.hpp"
#include "messenger/presence.hpp"

namespace cz::cluster {

struct RedisPresenceOptions {
  // How long a node's entries outlive its last heartbeat (a crashed node's users read online
  // for at most this long).
  std::chrono::milliseconds ttl{30000};
  // How long an offline user's role/last_seen stay in Redis after the last disconnect.
  std::chrono::milliseconds keep_offline{std::chrono::hours(24 * 30)};
  // Offline users remembered locally (answers while Redis is down).
  std::size_t max_local_offline_users = messenger::LocalPresence::kDefaultMaxOfflineUsers;
};

class RedisPresence final : public messenger::Presence,
                            public std::enable_shared_from_this<RedisPresence> {
 public:
  static std::shared_ptr<RedisPresence> create(boost::asio::any_io_executor executor,
                                               RedisEndpoint endpoint,
                                               RedisPresenceOptions options = {});
  ~RedisPresence() override;

  // Connects in the background (retrying) and starts the heartbeat.
  void start();
  // Stops the heartbeat and disconnects. Call on the executor, or once it has stopped.
  void stop();

  void connected(const std::string& user_id, store::Role role,
                 std::function<void(bool first)> done) override;
  void disconnected(const std::string& user_id, store::Role role, TimeMs now,
                    std::function<void(bool last)> done) override;
  void query(std::vector<std::string> user_ids, TimeMs now,
             std::function<void(std::vector<messenger::UserStatus>)> done) override;
  void on_status_changed(std::function<void(std::vector<std::string>)> listener) override;

  // The current epoch (tests).
  std::string epoch() const;

 private:
  RedisPresence(boost::asio::any_io_executor executor, RedisEndpoint endpoint,
                RedisPresenceOptions options);
  template <typename F>
  void on_executor(F&& f);
  void begin_epoch();
  void schedule_heartbeat();
  void heartbeat();
  void register_local_users();
  void announce_lost(const std::vector<std::string_view>& user_keys);
  void announce_local_users();

  boost::asio::any_io_executor executor_;
  RedisPresenceOptions options_;
  std::string node_id_;
  std::shared_ptr<RedisConnection> redis_;
  boost::asio::steady_timer heartbeat_timer_;
  messenger::LocalPresence local_;
  // Executor thread only (epoch() locks nothing: tests read it once the executor is idle).
  std::string epoch_;
  std::uint64_t epoch_counter_ = 0;
  std::function<void(std::vector<std::string>)> changed_listener_;
  std::atomic<bool> stopped_{false};
};

// For main: the presence of a cluster node on Redis at `url` (redis://host:port), started on
// `executor`. Throws std::invalid_argument for a malformed URL. Call stop() once the I/O threads
// have stopped.
std::shared_ptr<RedisPresence> start_redis_presence(std::string_view url,
                                                    boost::asio::any_io_executor executor,
                                                    RedisPresenceOptions options = {});

}  // namespace cz::cluster
