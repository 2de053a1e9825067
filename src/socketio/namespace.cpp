#include "socketio/namespace.hpp"

#include <atomic>
#include <boost/asio/dispatch.hpp>

#include "socketio/adapter.hpp"
#include "socketio/client.hpp"
#include "socketio/guarded.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace cz::socketio {

namespace {

constexpr std::string_view kOtherEvent = "_other";

metrics::Labels event_labels(const std::string& nsp, std::string_view event) {
  return {{"namespace", nsp}, {"event", std::string(event)}};
}

metrics::Counter& received_counter(const std::string& nsp, std::string_view event) {
  return metrics::registry().counter(
      "cz_socketio_events_received_total",
      "Socket.IO events received from clients, by namespace and event name (\"_other\": names "
      "the namespace has no handler for)",
      event_labels(nsp, event));
}

metrics::Counter& sent_counter(const std::string& nsp, std::string_view event) {
  return metrics::registry().counter(
      "cz_socketio_events_sent_total",
      "Socket.IO events emitted by the server, by namespace and event name (a broadcast counts "
      "once; \"_other\": names not declared by the namespace)",
      event_labels(nsp, event));
}

Namespace::SocketCounters socket_counters_of(const std::string& nsp) {
  auto& r = metrics::registry();
  constexpr const char* connects = "cz_socketio_connects_total";
  constexpr const char* connects_help =
      "Socket.IO namespace CONNECTs, by namespace and outcome (refused: by middleware)";
  return Namespace::SocketCounters{
      r.counter(connects, connects_help, {{"namespace", nsp}, {"outcome", "accepted"}}),
      r.counter(connects, connects_help, {{"namespace", nsp}, {"outcome", "refused"}}),
      r.gauge("cz_socketio_sockets", "Sockets connected to a namespace now", {{"namespace", nsp}})};
}

}  // namespace

Namespace::Namespace(Server& server, std::string name)
    : server_(&server),
      name_(std::move(name)),
      received_other_(&received_counter(name_, kOtherEvent)),
      sent_other_(&sent_counter(name_, kOtherEvent)),
      socket_counters_(socket_counters_of(name_)) {}

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
  add_sent_counter(event);  // an event handled is usually emitted too (new_message, ...)
  auto* received = &received_counter(name_, event);
  handlers_[std::move(event)] = HandlerEntry{std::move(handler), received};
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

void Namespace::declare_emitted_events(std::initializer_list<std::string_view> names) {
  for (auto name : names) add_sent_counter(name);
}

void Namespace::add_sent_counter(std::string_view event) {
  if (!sent_.contains(event)) sent_.emplace(std::string(event), &sent_counter(name_, event));
}

metrics::Counter& Namespace::sent(std::string_view event) const {
  auto it = sent_.find(event);
  return it == sent_.end() ? *sent_other_ : *it->second;
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

void Namespace::broadcast(const BroadcastTarget& target, std::string_view event, Payload payload,
                          Sent on_sent) {
  sent(event).inc();
  adapter_->broadcast(make_broadcast_packet(name_, event, std::move(payload)), target,
                      std::move(on_sent));
}

Adapter& Namespace::adapter() {
  return *adapter_;
}

const Namespace::HandlerEntry* Namespace::find_handler(std::string_view event) const {
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
