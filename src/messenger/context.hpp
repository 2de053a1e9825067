#pragma once
// What every /messenger handler needs, shared (by shared_ptr) between the handlers registered on
// the namespace and the store callbacks still in flight.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <vector>

#include "messenger/conversation.hpp"
#include "messenger/jwt.hpp"
#include "messenger/on_executor.hpp"
#include "messenger/presence.hpp"
#include "messenger/rate_limit.hpp"
#include "messenger/room_details_source.hpp"
#include "messenger/room_directory.hpp"
#include "messenger/token_expiry.hpp"
#include "messenger/user_sockets.hpp"
#include "messenger/validate.hpp"
#include "socketio/namespace.hpp"
#include "store/store.hpp"

namespace cz::messenger {

struct Context {
  Context(socketio::Namespace& ns, store::Store& store, const JwtOptions& jwt, Limits limits,
          std::shared_ptr<Presence> presence, std::vector<boost::asio::any_io_executor> shards)
      : ns(ns),
        store(store),
        jwt(jwt),
        jwt_leeway(jwt.leeway),
        limits(limits),
        presence(std::move(presence)),
        rooms(store, shards),
        token_expiry(shards),
        conversations(std::make_shared<Conversations>(store, shards, broadcast_over(ns))),
        shards(std::move(shards)) {}

  socketio::Namespace& ns;
  store::Store& store;
  const JwtVerifier jwt;
  const std::chrono::seconds jwt_leeway;  // a session ends this long after its token's exp
  const Limits limits;
  std::shared_ptr<Presence> presence;
  RoomDirectory rooms;
  TokenExpiry token_expiry;        // declared before `shards`: built from the same list
  RoomDetailsSource room_details;  // set once by install(); null: no lookups
  RateLimits rate_limits;          // set once by install()
  UserSockets user_sockets;        // sockets per user on this node (the per-user cap)
  // Each stored action, for the socket handlers and REST alike (shared with rest::install).
  const std::shared_ptr<Conversations> conversations;
  const std::vector<boost::asio::any_io_executor> shards;

  // The shard that runs a room's (or a user's) completions: Conversations::home_shard.
  const boost::asio::any_io_executor& home_shard(std::string_view key) const {
    return conversations->home_shard(key);
  }
};

using ContextPtr = std::shared_ptr<Context>;

}  // namespace cz::messenger
