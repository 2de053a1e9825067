#pragma once
// A session lasts as long as its token: when the last verified token's `exp` (plus the JWT
// leeway) passes, the socket gets `verify_user {status: false, reason: "token expired"}` and is
// disconnected, whether or not it is sending anything (an idle tab stops receiving too).
// `verify_user` with a fresh token moves the deadline.
//
// One queue of deadlines (ordered) and one timer per shard, armed for the earliest: a socket
// costs one queue node (~70 bytes with its handle) instead of a timer and a pending wait of its
// own (~330 bytes: it showed in the idle memory per connection). Nothing is added to the
// per-event path. A socket's entry leaves the queue with its Identity.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "messenger/identity.hpp"
#include "socketio/socket.hpp"

namespace cz::messenger {

// When a token with this `exp` (epoch seconds; none: never) stops being accepted, in epoch ms;
// 0 for never.
std::int64_t token_deadline_ms(std::optional<std::int64_t> exp, std::chrono::seconds leeway);

class TokenExpiry {
 public:
  explicit TokenExpiry(const std::vector<boost::asio::any_io_executor>& shards);
  ~TokenExpiry();
  TokenExpiry(const TokenExpiry&) = delete;
  TokenExpiry& operator=(const TokenExpiry&) = delete;

  // (Re)schedules `socket`'s expiry for `identity.token_expires_ms` (none when 0). Call on the
  // socket's thread, with the identity kept in socket.data().
  void arm(socketio::Socket& socket, Identity& identity);
  // Takes the socket out of its queue: call when it disconnects (on its thread; the Identity
  // itself may be destroyed later on any thread, so it cannot do this).
  void cancel(Identity& identity);

 private:
  struct Shard;
  static void rearm(Shard& shard);
  static void expire_due(Shard& shard);

  std::vector<std::unique_ptr<Shard>> shards_;
};

// A socket's place in its shard's queue, held by its Identity.
struct ExpiryEntry {
  struct Queued {
    ExpiryEntry* entry;  // valid while `socket` is alive (the Identity lives in the socket)
    std::weak_ptr<socketio::Socket> socket;
  };
  using Queue = std::multimap<std::int64_t, Queued>;
  Queue* queue = nullptr;  // null: not queued
  Queue::iterator position;
};

}  // namespace cz::messenger
