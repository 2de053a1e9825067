#pragma once
// The /messenger namespace: the product. One entry point for main:
//
//   messenger::Options options;
//   options.jwt.hs256_secret = config.jwt_secret;
//   options.jwt.public_key_pem = read_text_file(config.jwt_public_key_file);
//   options.limits.max_content_bytes = config.max_message_size;
//   options.shards = io_pool.executors();
//   auto messenger = messenger::install(socketio_server, *store, std::move(options));
//
// install() registers the middleware and handlers on the namespace; call it before the server
// accepts connections. The store must outlive the I/O threads' work (shut the store down before
// destroying the IoPool: its last callbacks post to the shards).
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>
#include <vector>

#include "messenger/conversation.hpp"
#include "messenger/jwt.hpp"
#include "messenger/presence.hpp"
#include "messenger/rate_limit.hpp"
#include "messenger/room_details_source.hpp"
#include "messenger/validate.hpp"
#include "socketio/server.hpp"
#include "store/store.hpp"

namespace cz::messenger {

struct Context;

struct Options {
  std::string namespace_name = "/messenger";
  JwtOptions jwt;
  Limits limits;
  RateLimits rate_limits;
  // One executor per I/O thread, indexed by net::ShardId (IoPool::executors()). Required.
  std::vector<boost::asio::any_io_executor> shards;
  // Null: LocalPresence (this process). The cluster layer passes a Redis-backed one.
  std::shared_ptr<Presence> presence;
  // Shop and buyer details of new rooms (the marketplace's services); null: none beyond the ids.
  RoomDetailsSource room_details;
};

class Messenger {
 public:
  explicit Messenger(std::shared_ptr<Context> context);
  ~Messenger();
  Messenger(const Messenger&) = delete;
  Messenger& operator=(const Messenger&) = delete;

  Presence& presence();
  // Each stored action (send, seen, create, edit, delete, enable), for rest::install to share.
  std::shared_ptr<Conversations> conversations();

 private:
  std::shared_ptr<Context> context_;
};

// Throws std::runtime_error on an unusable configuration (unreadable or invalid public key,
// no shards).
std::unique_ptr<Messenger> install(socketio::Server& server, store::Store& store, Options options);

}  // namespace cz::messenger
