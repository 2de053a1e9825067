#include "socketio/namespace.hpp"

#include <atomic>
#include <boost/asio/dispatch.hpp>

#include "socketio/adapter.hpp"
#include "socketio/client.hpp"
#include "socketio/guarded.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace cz::socketio {

Namespace::Namespace(Server& server, std::string name) : server_(&server), name_(std::move(name)) {}

Namespace::~Namespace() = default;

const std::string& Namespace::name() const {
  return name_;
}

const std::vector<boost::asio::any_io_executor>& Namespace::shards() const {
  return server_->shards();
}

void Namespace::use(Middleware middleware) {
  middleware_.push_back(std::move(middleware));
}

void Namespace::on_connection(ConnectionHandler handler) {
  connection_handler_ = std::move(handler);
}

void Namespace::on(std::string event, EventHandler handler) {
  handlers_[std::move(event)] = std::move(handler);
}

void Namespace::on_disconnect(DisconnectHandler handler) {
  disconnect_handlers_.push_back(std::move(handler));
}

void Namespace::on_malformed(MalformedHandler handler) {
  malformed_handler_ = std::move(handler);
}

void Namespace::on_unknown_event(EventHandler handler) {
  unknown_event_handler_ = std::move(handler);
}

void Namespace::use_event_filter(EventFilter filter) {
  event_filter_ = std::move(filter);
}

BroadcastOperator Namespace::to(std::string room) {
  return BroadcastOperator(*this, BroadcastTarget{{std::move(room)}, {}});
}

BroadcastOperator Namespace::except(std::string room) {
  return BroadcastOperator(*this, BroadcastTarget{{}, {std::move(room)}});
}

void Namespace::emit(std::string_view event, Payload payload) {
  broadcast(BroadcastTarget{}, event, std::move(payload));
}

void Namespace::broadcast(const BroadcastTarget& target, std::string_view event, Payload payload) {
  adapter_->broadcast(make_broadcast_packet(name_, event, std::move(payload)), target);
}

Adapter& Namespace::adapter() {
  return *adapter_;
}

const EventHandler* Namespace::find_handler(std::string_view event) const {
  auto it = handlers_.find(event);
  return it == handlers_.end() ? nullptr : &it->second;
}

void Namespace::run_middleware(std::shared_ptr<Socket> socket, std::size_t index) {
  if (index == middleware_.size()) {
    Client& client = *socket->client_;
    client.finish_connect(socket, std::nullopt);
    return;
  }
  // `next` may be called from any thread, later, and (by mistake) more than once: continue on
  // the socket's thread, once.
  auto called = std::make_shared<std::atomic<bool>>(false);
  Socket& s = *socket;
  Next next = [this, socket, index, called](std::optional<ConnectError> error) {
    if (called->exchange(true)) return;
    boost::asio::dispatch(socket->executor(),
                          [this, socket, index, error = std::move(error)]() mutable {
                            if (error) {
                              socket->client_->finish_connect(socket, std::move(error));
                            } else {
                              run_middleware(socket, index + 1);
                            }
                          });
  };
  // A middleware that throws refuses the connection rather than leaving it hanging.
  if (!guarded("middleware", [&] { middleware_[index](s, next); }))
    next(ConnectError{"server error", ""});
}

}  // namespace cz::socketio
