#pragma once
// The Engine.IO layer's metrics (util/metrics.hpp), looked up once. Open sessions by transport
// are not counted here but read from the session table at scrape time
// (Server::transport_counts()).
#include "util/metrics.hpp"

namespace cz::engineio {

struct EngineMetrics {
  metrics::Counter& handshakes_polling;
  metrics::Counter& handshakes_websocket;
  // Polling sessions closed because their client did not fetch what was queued for it.
  metrics::Counter& slow_polling_clients;
};

EngineMetrics& engine_metrics();

}  // namespace cz::engineio
