#pragma once
// What every /messenger handler needs, shared (by shared_ptr) between the handlers registered on
// the namespace and the store callbacks still in flight.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <vector>

#include "messenger/jwt.hpp"
#include "messenger/presence.hpp"
#include "messenger/rate_limit.hpp"
#include "messenger/room_details_source.hpp"
#include "messenger/room_directory.hpp"
#include "messenger/token_expiry.hpp"
#include "messenger/user_sockets.hpp"
#include "messenger/validate.hpp"
#include "socketio/namespace.hpp"
#include "store/store.hpp"
#include "util/post_batch.hpp"

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
  const std::vector<boost::asio::any_io_executor> shards;

  // The shard that broadcasts a room's messages. Store completions arrive in commit order on
  // the store's thread; posting every completion of a room to one shard keeps that order all
  // the way to each recipient (FIFO from one thread to each shard), even when the two
  // participants send from different shards.
  const boost::asio::any_io_executor& home_shard(const std::string& room_id) const {
    return shards[std::hash<std::string>{}(room_id) % shards.size()];
  }
};

using ContextPtr = std::shared_ptr<Context>;

// Wraps a handler of Result<T> so that it runs on `executor` instead of the store's thread.
template <typename T, typename F>
store::Callback<T> on_executor(boost::asio::any_io_executor executor, F handler) {
  return [executor = std::move(executor), handler = std::move(handler)](Result<T> r) mutable {
    util::post_to(executor, [handler = std::move(handler), r = std::move(r)]() mutable {
      handler(std::move(r));
    });
  };
}

}  // namespace cz::messenger
