#pragma once
// The Socket.IO server: accepts Engine.IO connections and multiplexes namespaces over them.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engineio/session_handle.hpp"
#include "socketio/api.hpp"

namespace cz::socketio {

class Adapter;
class Namespace;

struct ServerOptions {
  // A client that opens the Engine.IO session but joins no namespace within this is dropped.
  std::chrono::milliseconds connect_timeout{45000};
  // Largest number of binary attachments in one packet.
  std::size_t max_attachments = 10;
};

// Creates the adapter of a namespace; the default is the in-process LocalAdapter, the cluster
// layer supplies a Redis-backed one.
using AdapterFactory = std::function<std::unique_ptr<Adapter>(Namespace&)>;

class Server : public engineio::SessionAcceptor {
 public:
  // `shards`: one executor per I/O thread, indexed by net::ShardId.
  Server(std::vector<boost::asio::any_io_executor> shards, ServerOptions options = {});
  ~Server() override;

  // Returns the namespace, creating it on first use. Call before accepting connections.
  Namespace& of(const std::string& name);
  void set_adapter_factory(AdapterFactory factory);  // before the first of()

  void on_connection(std::shared_ptr<engineio::SessionHandle> connection) override;

  // --- the implementation's part below (declared by the Socket.IO layer) ---
  const std::vector<boost::asio::any_io_executor>& shards() const { return shards_; }
  const ServerOptions& options() const { return options_; }
  // The namespace named `name`, or null (no dynamic namespaces).
  Namespace* find(std::string_view name) const;

 private:
  std::vector<boost::asio::any_io_executor> shards_;
  ServerOptions options_;
  AdapterFactory adapter_factory_;
  std::map<std::string, std::unique_ptr<Namespace>, std::less<>> namespaces_;
};

}  // namespace cz::socketio
