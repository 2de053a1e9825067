#pragma once
// Internal: what every connection of one HttpServer shares: options, the handler, the pool, and
// a per-shard registry of open connections (for graceful stop).
#include <atomic>
#include <memory>
#include <unordered_map>
#include <vector>

#include "net/http_server.hpp"
#include "net/pending_headers.hpp"

namespace cz::net {

// A connection the server can ask to wind down.
class ServerConnection {
 public:
  virtual ~ServerConnection() = default;
  // Called on the connection's shard thread when the server stops.
  virtual void shutdown() = 0;
};

struct ServerState {
  ServerState(IoPool& pool, HttpHandler& handler, HttpServerOptions options)
      : pool(pool),
        handler(handler),
        options(std::move(options)),
        pending_headers(this->options.max_pending_headers_per_ip),
        shards(pool.size()) {}

  IoPool& pool;
  HttpHandler& handler;
  const HttpServerOptions options;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> live{0};
  PendingHeaders pending_headers;

  // One registry per shard, touched only by that shard's thread.
  struct Shard {
    std::unordered_map<ServerConnection*, std::weak_ptr<ServerConnection>> connections;
  };
  std::vector<Shard> shards;

  // Call on `shard`'s thread.
  void add(ShardId shard, const std::shared_ptr<ServerConnection>& c) {
    shards[shard].connections.emplace(c.get(), c);
    live.fetch_add(1, std::memory_order_relaxed);
  }
  void remove(ShardId shard, ServerConnection* c) {
    if (shards[shard].connections.erase(c)) live.fetch_sub(1, std::memory_order_relaxed);
  }
};

}  // namespace cz::net
