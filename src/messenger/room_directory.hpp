#pragma once
// Who the two participants of a room are, cached per shard so that typing and new_message check
// membership without a store round trip each time.
//
// The participants of a room never change (the id is "<buyer>.<seller>" and rooms are only
// soft-deleted per side), so a cached entry can never be stale: the only invalidation needed is
// a bound on memory. A miss costs one store lookup, shared by every request for that room on
// the shard that arrives while it is in flight; waiting requests resume in arrival order, so a
// sender's messages reach the store in the order they were sent.
//
// Each shard has its own table, touched only by that shard's thread: no lock.
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "messenger/validate.hpp"
#include "net/io_pool.hpp"
#include "store/store.hpp"

namespace cz::messenger {

class RoomDirectory {
 public:
  // Exactly one of `room` and `error` is set. Called on the shard's thread.
  using Done = std::function<void(const Participants* room, const Error* error)>;

  RoomDirectory(store::Store& store, std::vector<boost::asio::any_io_executor> shards,
                std::size_t max_rooms_per_shard = 100000);

  // Shard thread only. Calls `done` at once when the room is cached.
  template <typename F>
  void find(net::ShardId shard, const std::string& room_id, F&& done) {
    if (const Participants* p = cached(shard, room_id)) {
      done(p, nullptr);
      return;
    }
    fetch(shard, room_id, Done(std::forward<F>(done)));
  }

  // Records a room learned otherwise (create_room). Shard thread only.
  void remember(net::ShardId shard, const std::string& room_id, Participants participants);

 private:
  struct Shard {
    std::unordered_map<std::string, Participants> rooms;
    std::unordered_map<std::string, std::vector<Done>> waiting;
  };
  struct State {
    store::Store* store;
    std::vector<boost::asio::any_io_executor> executors;
    std::vector<std::unique_ptr<Shard>> shards;
    std::size_t max_rooms;
  };

  const Participants* cached(net::ShardId shard, const std::string& room_id) const;
  void fetch(net::ShardId shard, const std::string& room_id, Done done);
  static void resolve(State& state, net::ShardId shard, const std::string& room_id,
                      Result<std::optional<store::Room>> result);
  static void insert(State& state, Shard& shard, const std::string& room_id, Participants p);

  // Shared with in-flight store callbacks, which may outlive this object.
  std::shared_ptr<State> state_;
};

}  // namespace cz::messenger
