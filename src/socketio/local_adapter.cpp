#include "socketio/local_adapter.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "socketio/namespace.hpp"
#include "socketio/socket.hpp"
#include "socketio/thread_check.hpp"
#include "util/post_batch.hpp"

namespace cz::socketio {

// --- RoomMembers ---

void RoomMembers::add(Socket* socket) {
  if (large_) {
    large_->insert(socket);
    return;
  }
  if (std::find(small_.begin(), small_.end(), socket) != small_.end()) return;
  if (small_.size() < kSmallLimit) {
    small_.push_back(socket);
    return;
  }
  large_ = std::make_unique<std::unordered_set<Socket*>>(small_.begin(), small_.end());
  large_->insert(socket);
  std::vector<Socket*>().swap(small_);
}

void RoomMembers::remove(Socket* socket) {
  if (large_) {
    large_->erase(socket);
    return;
  }
  auto it = std::find(small_.begin(), small_.end(), socket);
  if (it == small_.end()) return;
  *it = small_.back();  // order does not matter
  small_.pop_back();
}

// --- per-shard state ---

struct LocalAdapter::Shard {
  explicit Shard(boost::asio::any_io_executor ex) : executor(std::move(ex)) {}

  boost::asio::any_io_executor executor;
  // Every socket of the namespace on this shard, by id (the key views the socket's own id).
  // Doubles as the index of the "own id" rooms, which would otherwise cost a room per socket.
  std::unordered_map<std::string_view, Socket*> sockets;
  std::unordered_map<std::string, RoomMembers, StringHash, std::equal_to<>> rooms;
  // sockets.size(), readable from other threads: lets a broadcaster skip empty shards.
  alignas(64) std::atomic<std::size_t> socket_count{0};
};

// A broadcast on its way to another shard.
struct LocalAdapter::Job {
  std::shared_ptr<const BroadcastPacket> packet;
  BroadcastTarget target;
};

namespace {

template <typename F>
void for_each_in_room(
    const std::unordered_map<std::string_view, Socket*>& sockets,
    const std::unordered_map<std::string, RoomMembers, StringHash, std::equal_to<>>& rooms,
    const std::string& room, F&& f) {
  if (auto it = rooms.find(room); it != rooms.end()) it->second.for_each(f);
  // A socket's own room: present unless the socket left it explicitly.
  if (auto it = sockets.find(room); it != sockets.end() && it->second->rooms().count(room))
    f(it->second);
}

// The sockets excluded from one delivery; usually one (the sender), sometimes a whole room.
class Excluded {
 public:
  void add(Socket* s) { sockets_.push_back(s); }
  void seal() {
    if (sockets_.size() > kLinearLimit) std::sort(sockets_.begin(), sockets_.end());
  }
  bool contains(Socket* s) const {
    if (sockets_.size() > kLinearLimit)
      return std::binary_search(sockets_.begin(), sockets_.end(), s);
    return std::find(sockets_.begin(), sockets_.end(), s) != sockets_.end();
  }

 private:
  static constexpr std::size_t kLinearLimit = 8;
  std::vector<Socket*> sockets_;
};

}  // namespace

// --- LocalAdapter ---

LocalAdapter::LocalAdapter(Namespace& nsp) : nsp_(nsp) {
  for (const auto& executor : nsp.shards()) shards_.push_back(std::make_unique<Shard>(executor));
}

LocalAdapter::~LocalAdapter() = default;

void LocalAdapter::add(Socket& socket, const std::string& room) {
  Shard& shard = *shards_.at(socket.shard());
  if (room == socket.id()) {
    shard.sockets.emplace(socket.id(), &socket);
    shard.socket_count.store(shard.sockets.size(), std::memory_order_relaxed);
    return;
  }
  auto it = shard.rooms.find(room);
  if (it == shard.rooms.end()) it = shard.rooms.emplace(room, RoomMembers{}).first;
  it->second.add(&socket);
}

void LocalAdapter::remove(Socket& socket, const std::string& room) {
  // Leaving one's own room needs no index change: membership is read from socket.rooms().
  if (room == socket.id()) return;
  Shard& shard = *shards_.at(socket.shard());
  auto it = shard.rooms.find(room);
  if (it == shard.rooms.end()) return;
  it->second.remove(&socket);
  if (it->second.empty()) shard.rooms.erase(it);
}

void LocalAdapter::remove_all(Socket& socket) {
  Shard& shard = *shards_.at(socket.shard());
  for (const std::string& room : socket.rooms()) {
    if (room == socket.id()) continue;
    auto it = shard.rooms.find(room);
    if (it == shard.rooms.end()) continue;
    it->second.remove(&socket);
    if (it->second.empty()) shard.rooms.erase(it);
  }
  auto it = shard.sockets.find(socket.id());
  if (it != shard.sockets.end() && it->second == &socket) shard.sockets.erase(it);
  shard.socket_count.store(shard.sockets.size(), std::memory_order_relaxed);
}

void LocalAdapter::broadcast(std::shared_ptr<const BroadcastPacket> packet,
                             const BroadcastTarget& target, Sent sent) {
  deliver_local(std::move(packet), target);
  if (sent) sent(true);
}

void LocalAdapter::deliver_local(std::shared_ptr<const BroadcastPacket> packet,
                                 const BroadcastTarget& target) {
  std::shared_ptr<Job> job;  // built once, only if some other shard needs it
  for (auto& shard_ptr : shards_) {
    Shard& shard = *shard_ptr;
    if (shard.socket_count.load(std::memory_order_relaxed) == 0) continue;
    if (running_in(shard.executor)) {
      deliver_on_shard(shard, *packet, target);
      continue;
    }
    if (!job) job = std::make_shared<Job>(Job{packet, target});
    util::post_to(shard.executor,
                  [this, &shard, job] { deliver_on_shard(shard, *job->packet, job->target); });
  }
}

void LocalAdapter::deliver_on_shard(Shard& shard, const BroadcastPacket& packet,
                                    const BroadcastTarget& target) {
  Excluded excluded;
  for (const std::string& room : target.except_rooms)
    for_each_in_room(shard.sockets, shard.rooms, room, [&](Socket* s) { excluded.add(s); });
  excluded.seal();
  auto send = [&](Socket* s) {
    if (!excluded.contains(s)) s->deliver(packet.encoded);
  };

  if (target.rooms.empty()) {
    for (const auto& [id, socket] : shard.sockets) send(socket);
  } else if (target.rooms.size() == 1) {
    for_each_in_room(shard.sockets, shard.rooms, target.rooms.front(), send);
  } else {
    // Several rooms: a socket in more than one of them still gets the packet once.
    std::vector<Socket*> recipients;
    for (const std::string& room : target.rooms)
      for_each_in_room(shard.sockets, shard.rooms, room,
                       [&](Socket* s) { recipients.push_back(s); });
    std::sort(recipients.begin(), recipients.end());
    recipients.erase(std::unique(recipients.begin(), recipients.end()), recipients.end());
    for (Socket* s : recipients) send(s);
  }
}

std::size_t LocalAdapter::socket_count(net::ShardId shard) const {
  return shards_.at(shard)->sockets.size();
}

std::size_t LocalAdapter::room_size(net::ShardId shard, std::string_view room) const {
  const Shard& s = *shards_.at(shard);
  std::size_t n = 0;
  const std::string key(room);
  for_each_in_room(s.sockets, s.rooms, key, [&](Socket*) { ++n; });
  return n;
}

}  // namespace cz::socketio
