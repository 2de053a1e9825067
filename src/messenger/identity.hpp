#pragma once
// The verified user behind a /messenger socket, kept in Socket::data() by the handshake
// middleware. Read and written on the socket's shard thread only.
#include <cstdint>
#include <memory>
#include <string>

#include "messenger/rate_limit.hpp"
#include "socketio/socket.hpp"
#include "store/model.hpp"

namespace cz::messenger {

struct ExpiryEntry;

struct Identity {
  std::string user_id;
  store::Role role = store::Role::Buyer;
  // Whether this socket was counted in Presence (so that its disconnect is counted once).
  bool counted_online = false;
  // Whether this socket was counted in Context::user_sockets (the per-user cap).
  bool counted_socket = false;
  // When the last verified token stops being accepted (its exp plus the leeway), in epoch ms;
  // 0 when it has no exp. See token_expiry.hpp.
  std::int64_t token_expires_ms = 0;
  // Its place in the shard's expiry queue (token_expiry.hpp). Shared only because std::any
  // needs a copyable value.
  std::shared_ptr<ExpiryEntry> expiry;
  // This socket's event budget (rate_limit.hpp).
  EventRateLimiter rate;
};

inline Identity* identity_of(socketio::Socket& socket) {
  return std::any_cast<Identity>(&socket.data());
}

}  // namespace cz::messenger
