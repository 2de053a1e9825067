#include "messenger/messenger.hpp"

#include <stdexcept>

#include "messenger/context.hpp"
#include "messenger/handlers.hpp"

namespace cz::messenger {

Messenger::Messenger(std::shared_ptr<Context> context) : context_(std::move(context)) {}
Messenger::~Messenger() = default;

Presence& Messenger::presence() {
  return *context_->presence;
}

std::shared_ptr<Conversations> Messenger::conversations() {
  return context_->conversations;
}

std::unique_ptr<Messenger> install(socketio::Server& server, store::Store& store, Options options) {
  if (options.shards.empty()) throw std::runtime_error("messenger: no I/O shards given");
  options.jwt.max_token_bytes = options.limits.max_token_bytes;
  if (!options.presence) options.presence = std::make_shared<LocalPresence>();

  auto ctx = std::make_shared<Context>(server.of(options.namespace_name), store, options.jwt,
                                       options.limits, std::move(options.presence),
                                       std::move(options.shards));
  ctx->room_details = std::move(options.room_details);
  ctx->rate_limits = options.rate_limits;
  install_auth(ctx);
  install_rate_limit(ctx);
  install_presence(ctx);
  install_room_events(ctx);
  install_message_events(ctx);
  install_sync_events(ctx);
  install_malformed(ctx);
  // Emitted under names no handler has (the others are counted under their handler's name).
  ctx->ns.declare_emitted_events({"error", "user_status"});
  return std::make_unique<Messenger>(std::move(ctx));
}

}  // namespace cz::messenger
