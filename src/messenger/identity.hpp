#pragma once
// The verified user behind a /messenger socket, kept in Socket::data() by the handshake
// middleware. Read and written on the socket's shard thread only.
#include <string>

#include "socketio/socket.hpp"
#include "store/model.hpp"

namespace cz::messenger {

struct Identity {
  std::string user_id;
  store::Role role = store::Role::Buyer;
  // Whether this socket was counted in Presence (so that its disconnect is counted once).
  bool counted_online = false;
};

inline Identity* identity_of(socketio::Socket& socket) {
  return std::any_cast<Identity>(&socket.data());
}

}  // namespace cz::messenger
