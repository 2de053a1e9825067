#include "socketio/api.hpp"

#include "socketio/namespace.hpp"

namespace cz::socketio {

std::optional<std::string_view> Handshake::query_param(std::string_view key) const {
  for (const auto& [k, v] : query)
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

void Ack::operator()(Payload payload) const {
  if (send_) send_(std::move(payload));
}

BroadcastOperator BroadcastOperator::to(std::string room) && {
  target_.rooms.push_back(std::move(room));
  return std::move(*this);
}

BroadcastOperator BroadcastOperator::except(std::string room) && {
  target_.except_rooms.push_back(std::move(room));
  return std::move(*this);
}

void BroadcastOperator::emit(std::string_view event, Payload payload) const {
  ns_->broadcast(target_, event, std::move(payload));
}

void BroadcastOperator::emit(std::string_view event, std::string json_args, Sent sent) const {
  ns_->broadcast(target_, event, Payload{std::move(json_args), {}}, std::move(sent));
}

}  // namespace cz::socketio
