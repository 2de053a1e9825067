#include "messenger/room_directory.hpp"

#include <boost/asio/post.hpp>
#include <stdexcept>

#include "messenger/errors.hpp"
#include "util/post_batch.hpp"

namespace cz::messenger {

RoomDirectory::RoomDirectory(store::Store& store, std::vector<boost::asio::any_io_executor> shards,
                             std::size_t max_rooms_per_shard)
    : state_(std::make_shared<State>()) {
  if (shards.empty()) throw std::invalid_argument("RoomDirectory needs the shard executors");
  state_->store = &store;
  state_->max_rooms = max_rooms_per_shard ? max_rooms_per_shard : 1;
  for (std::size_t i = 0; i < shards.size(); ++i)
    state_->shards.push_back(std::make_unique<Shard>());
  state_->executors = std::move(shards);
}

const Participants* RoomDirectory::cached(net::ShardId shard, const std::string& room_id) const {
  const auto& rooms = state_->shards.at(shard)->rooms;
  auto it = rooms.find(room_id);
  return it == rooms.end() ? nullptr : &it->second;
}

void RoomDirectory::remember(net::ShardId shard, const std::string& room_id,
                             Participants participants) {
  insert(*state_, *state_->shards.at(shard), room_id, std::move(participants));
}

void RoomDirectory::insert(State& state, Shard& shard, const std::string& room_id, Participants p) {
  // Crude but O(1) and lock-free: when the table is full, start over. Entries are cheap to
  // refetch and a working set larger than the bound would thrash any policy.
  if (shard.rooms.size() >= state.max_rooms) shard.rooms.clear();
  shard.rooms.insert_or_assign(room_id, std::move(p));
}

void RoomDirectory::fetch(net::ShardId shard_id, const std::string& room_id, Done done) {
  Shard& shard = *state_->shards.at(shard_id);
  auto [it, first] = shard.waiting.try_emplace(room_id);
  it->second.push_back(std::move(done));
  if (!first) return;  // a lookup is already in flight; it will answer us too

  auto executor = state_->executors[shard_id];
  state_->store->get_room(
      room_id, [state = state_, shard_id, room_id, executor](Result<std::optional<store::Room>> r) {
        util::post_to(executor, [state, shard_id, room_id, r = std::move(r)]() mutable {
          resolve(*state, shard_id, room_id, std::move(r));
        });
      });
}

void RoomDirectory::resolve(State& state, net::ShardId shard_id, const std::string& room_id,
                            Result<std::optional<store::Room>> result) {
  Shard& shard = *state.shards[shard_id];
  auto node = shard.waiting.extract(room_id);
  if (node.empty()) return;
  std::vector<Done> waiting = std::move(node.mapped());

  if (!result.ok()) {
    const Error error = client_error_from_store(result.error());
    for (auto& done : waiting) done(nullptr, &error);
    return;
  }
  if (!*result) {
    const Error error = make_error(code::kRoomNotFound, "room " + room_id + " not found");
    for (auto& done : waiting) done(nullptr, &error);
    return;
  }
  const store::Room& room = **result;
  insert(state, shard, room_id, Participants{room.buyer, room.seller});
  // A copy: a waiter may trigger an insert that clears the table.
  const Participants participants{room.buyer, room.seller};
  for (auto& done : waiting) done(&participants, nullptr);
}

}  // namespace cz::messenger
