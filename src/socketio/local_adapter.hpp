#pragma once
// The in-process adapter: room membership kept per shard, broadcasts delivered per shard.
//
// Each shard (I/O thread) has its own index of the namespace's sockets and rooms, touched only
// by that thread, so joins, leaves and deliveries take no lock. A broadcast is encoded once by
// the caller; deliver_local() runs it inline on the caller's own shard and posts one task to
// each other shard that has sockets of this namespace (a relaxed atomic count per shard tells,
// without a lock, which shards are empty).
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "socketio/adapter.hpp"
#include "socketio/string_hash.hpp"

namespace cz::socketio {

// The sockets of one room on one shard: a small vector while the room is small (the common
// case: a user's own room), a hash set once it grows, so that leaving stays O(1) in big rooms.
class RoomMembers {
 public:
  void add(Socket* socket);
  void remove(Socket* socket);
  bool empty() const { return small_.empty() && (!large_ || large_->empty()); }
  std::size_t size() const { return large_ ? large_->size() : small_.size(); }
  template <typename F>
  void for_each(F&& f) const {
    if (large_) {
      for (Socket* s : *large_) f(s);
    } else {
      for (Socket* s : small_) f(s);
    }
  }

 private:
  static constexpr std::size_t kSmallLimit = 16;
  std::vector<Socket*> small_;
  std::unique_ptr<std::unordered_set<Socket*>> large_;
};

class LocalAdapter : public Adapter {
 public:
  explicit LocalAdapter(Namespace& nsp);
  ~LocalAdapter() override;

  void add(Socket& socket, const std::string& room) override;
  void remove(Socket& socket, const std::string& room) override;
  void remove_all(Socket& socket) override;
  // Delivers locally; this node is the only one, so `sent(true)` follows at once.
  void broadcast(std::shared_ptr<const BroadcastPacket> packet, const BroadcastTarget& target,
                 Sent sent) override;

  // Delivers to the matching sockets of this process only (every shard). Thread-safe. A cluster
  // adapter calls it for broadcasts that arrive from other nodes.
  void deliver_local(std::shared_ptr<const BroadcastPacket> packet, const BroadcastTarget& target);

  // Introspection (tests, metrics). Shard thread only.
  std::size_t socket_count(net::ShardId shard) const;
  std::size_t room_size(net::ShardId shard, std::string_view room) const;

 protected:
  Namespace& nsp() const { return nsp_; }

 private:
  struct Shard;
  struct Job;
  void deliver_on_shard(Shard& shard, const BroadcastPacket& packet, const BroadcastTarget& target);

  Namespace& nsp_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace cz::socketio
