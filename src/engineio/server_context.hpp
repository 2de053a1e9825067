#pragma once
// Internal: what the Engine.IO server and its sessions share.
#include <atomic>
#include <memory>

#include "engineio/options.hpp"
#include "engineio/polling_cors.hpp"
#include "engineio/session_handle.hpp"
#include "engineio/session_table.hpp"
#include "net/io_pool.hpp"

namespace cz::engineio {

struct ServerContext {
  ServerContext(net::IoPool& pool, SessionAcceptor& acceptor, ServerOptions options)
      : pool(pool),
        acceptor(acceptor),
        options(std::move(options)),
        cors(this->options.cors_origins) {}

  net::IoPool& pool;
  SessionAcceptor& acceptor;
  const ServerOptions options;
  const PollingCors cors;
  SessionTable sessions;
  // Set by Server::drain(): new sessions are refused (503).
  std::atomic<bool> draining{false};
};

}  // namespace cz::engineio
