#include "app/ops.hpp"

#include "engineio/metrics.hpp"
#include "messenger/metrics.hpp"
#include "store/errors.hpp"
#include "store/metrics.hpp"
#include "util/metrics.hpp"
#include "util/process_metrics.hpp"

namespace cz::app {

namespace {

using Handles = std::vector<std::shared_ptr<void>>;

// Every series that is otherwise created at its first increment, so that a scrape shows them
// from the start (at 0).
void register_counted_metrics() {
  engineio::engine_metrics();
  messenger::messenger_metrics();
  store::commit_latency();
  metrics::registry().counter(metrics::kSlowClientsDropped, metrics::kSlowClientsDroppedHelp,
                              {{"transport", "websocket"}});
}

void add_session_metrics(Handles& handles, const engineio::Server& engine) {
  auto& r = metrics::registry();
  constexpr const char* name = "cz_connections";
  constexpr const char* help = "Engine.IO sessions open now, by their current transport";
  handles.push_back(
      r.add_callback(metrics::Type::Gauge, name, help, {{"transport", "polling"}},
                     [&engine] { return static_cast<double>(engine.transport_counts().polling); }));
  handles.push_back(r.add_callback(
      metrics::Type::Gauge, name, help, {{"transport", "websocket"}},
      [&engine] { return static_cast<double>(engine.transport_counts().websocket); }));
}

void add_store_metrics(Handles& handles, const store::Store& store) {
  auto& r = metrics::registry();
  auto stat = [&store](std::uint64_t store::StoreStats::*field) {
    return [&store, field] { return static_cast<double>(store.stats().*field); };
  };
  using S = store::StoreStats;
  constexpr const char* depth = "cz_store_queue_depth";
  constexpr const char* depth_help = "Store requests waiting for the store's threads now";
  handles.push_back(r.add_callback(metrics::Type::Gauge, depth, depth_help, {{"queue", "writes"}},
                                   stat(&S::queued_writes)));
  handles.push_back(r.add_callback(metrics::Type::Gauge, depth, depth_help, {{"queue", "reads"}},
                                   stat(&S::queued_reads)));
  handles.push_back(r.add_callback(metrics::Type::Counter, "cz_store_transactions_total",
                                   "Write transactions committed (each holds a batch of writes)",
                                   {}, stat(&S::write_transactions)));
  handles.push_back(r.add_callback(metrics::Type::Counter, "cz_store_writes_total",
                                   "Write requests committed", {}, stat(&S::writes_committed)));
  handles.push_back(r.add_callback(metrics::Type::Counter, "cz_store_failed_transactions_total",
                                   "Write batches (or parts of one) rolled back by a failure", {},
                                   stat(&S::failed_transactions)));
  handles.push_back(r.add_callback(
      metrics::Type::Counter, "cz_store_rejected_total",
      "Store requests refused at once: queue full, database away too long, or shut down", {},
      stat(&S::rejected)));
}

void add_redis_metrics(Handles& handles, const std::shared_ptr<cluster::RedisBus>& redis) {
  auto& r = metrics::registry();
  constexpr const char* name = "cz_redis_connected";
  constexpr const char* help = "1 while the Redis connection is up, by connection";
  std::weak_ptr<cluster::RedisBus> weak = redis;
  handles.push_back(
      r.add_callback(metrics::Type::Gauge, name, help, {{"connection", "publisher"}}, [weak] {
        auto bus = weak.lock();
        return bus && bus->publisher_connected() ? 1.0 : 0.0;
      }));
  handles.push_back(
      r.add_callback(metrics::Type::Gauge, name, help, {{"connection", "subscriber"}}, [weak] {
        auto bus = weak.lock();
        return bus && bus->subscriber_connected() ? 1.0 : 0.0;
      }));
}

// The store answers a read of a room that does not exist (a query, but no row): it is usable.
// STORE_UNAVAILABLE / STORE_ERROR say why it is not.
net::ReadinessCheck store_check(store::Store& store) {
  return {"store", [&store](std::function<void(std::string)> done) {
            store.get_room("readyz-probe",
                           [done = std::move(done)](Result<std::optional<store::Room>> r) {
                             if (r || r.error().code == store::kRoomNotFound) return done("");
                             done(r.error().code + " " + r.error().message);
                           });
          }};
}

net::ReadinessCheck redis_check(const std::shared_ptr<cluster::RedisBus>& redis) {
  return {"redis",
          [weak = std::weak_ptr<cluster::RedisBus>(redis)](std::function<void(std::string)> done) {
            auto bus = weak.lock();
            if (!bus) return done("stopped");
            const bool publisher = bus->publisher_connected();
            const bool subscriber = bus->subscriber_connected();
            if (publisher && subscriber) return done("");
            done(std::string("not connected (publisher ") + (publisher ? "up" : "down") +
                 ", subscriber " + (subscriber ? "up" : "down") + ")");
          }};
}

}  // namespace

std::shared_ptr<void> install_operations(net::Router& router, OpsSources sources) {
  register_counted_metrics();
  metrics::register_process_metrics(metrics::registry());
  auto handles = std::make_shared<Handles>();
  add_session_metrics(*handles, sources.engine);
  add_store_metrics(*handles, sources.store);
  std::vector<net::ReadinessCheck> checks{store_check(sources.store)};
  if (sources.redis) {
    add_redis_metrics(*handles, sources.redis);
    checks.push_back(redis_check(sources.redis));
  }
  router.add("/metrics", net::make_metrics_handler());
  router.add("/readyz", net::make_readiness_handler(std::move(checks), kReadinessTimeout));
  return handles;
}

}  // namespace cz::app
