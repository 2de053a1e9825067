#pragma once
// The operations endpoints, wired here because they look at several layers at once:
//   GET /metrics  the registry of util/metrics.hpp, plus what is read at scrape time (sessions
//                 by transport, the store's queues and transactions, Redis links, process_*)
//   GET /readyz   200 when the store answers a read and, in cluster mode, both Redis links are
//                 up; 503 with the reasons otherwise
// (GET /healthz, the liveness probe, needs nothing and is mounted by app/server.cpp.)
#include <chrono>
#include <memory>
#include <vector>

#include "cluster/redis_bus.hpp"
#include "engineio/server.hpp"
#include "net/router.hpp"
#include "store/store.hpp"

namespace cz::app {

struct OpsSources {
  const engineio::Server& engine;
  store::Store& store;
  std::shared_ptr<cluster::RedisBus> redis;  // null: single node
};

// Mounts /metrics and /readyz on `router` and registers the scrape-time metrics. The metrics
// read `sources` until the returned handle is destroyed: keep it as long as they live.
[[nodiscard]] std::shared_ptr<void> install_operations(net::Router& router, OpsSources sources);

// How long /readyz waits for the store's answer before it says "not ready".
inline constexpr std::chrono::milliseconds kReadinessTimeout{2000};

}  // namespace cz::app
