#pragma once
// Internal: what the Engine.IO server and its sessions share.
#include <memory>

#include "engineio/connection.hpp"
#include "engineio/cors.hpp"
#include "engineio/options.hpp"
#include "engineio/session_table.hpp"
#include "net/io_pool.hpp"

namespace cz::engineio {

struct ServerContext {
  ServerContext(net::IoPool& pool, ConnectionAcceptor& acceptor, ServerOptions options)
      : pool(pool),
        acceptor(acceptor),
        options(std::move(options)),
        cors(this->options.cors_origins) {}

  net::IoPool& pool;
  ConnectionAcceptor& acceptor;
  const ServerOptions options;
  const CorsPolicy cors;
  SessionTable sessions;
};

}  // namespace cz::engineio
