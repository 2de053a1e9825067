#include "socketio/server.hpp"

#include "socketio/client.hpp"
#include "socketio/local_adapter.hpp"
#include "socketio/namespace.hpp"

namespace cz::socketio {

Server::Server(std::vector<boost::asio::any_io_executor> shards, ServerOptions options)
    : shards_(std::move(shards)), options_(options) {}

Server::~Server() = default;

Namespace& Server::of(const std::string& name) {
  // As Node: "chat" and "/chat" are the same namespace.
  std::string key = (name.empty() || name.front() != '/') ? "/" + name : name;
  auto it = namespaces_.find(key);
  if (it != namespaces_.end()) return *it->second;
  auto nsp = std::make_unique<Namespace>(*this, key);
  nsp->adapter_ = adapter_factory_ ? adapter_factory_(*nsp) : std::make_unique<LocalAdapter>(*nsp);
  return *namespaces_.emplace(std::move(key), std::move(nsp)).first->second;
}

void Server::set_adapter_factory(AdapterFactory factory) {
  adapter_factory_ = std::move(factory);
}

Namespace* Server::find(std::string_view name) const {
  auto it = namespaces_.find(name);
  return it == namespaces_.end() ? nullptr : it->second.get();
}

void Server::on_connection(std::shared_ptr<engineio::SessionHandle> connection) {
  std::make_shared<Client>(*this, std::move(connection))->start();
}

}  // namespace cz::socketio
