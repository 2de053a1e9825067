// idle and connect-storm: many sockets, each its own user (alternately BUYER and SELLER),
// connected to the namespace (so authenticated and joined to the user's room).
#include <algorithm>
#include <cmath>

#include "fleet.hpp"
#include "scenarios.hpp"

namespace cz::loadgen {
namespace {

class NoEvents final : public FleetHandler {};

void add_users(RunContext& ctx, Fleet& fleet, const char* tag, unsigned from, unsigned to) {
  const Options& o = ctx.options;
  for (unsigned i = from; i < to; ++i) {
    fleet.add(o.user_prefix + tag + std::to_string(i), i % 2 == 0 ? "BUYER" : "SELLER");
  }
}

void write_connect_stats(Report& r, ConnectStats& cs) {
  r.set("clients", static_cast<std::int64_t>(cs.attempted));
  r.set("connected", static_cast<std::int64_t>(cs.connected));
  r.set("connect_failures", static_cast<std::int64_t>(cs.failed));
  for (const auto& [kind, count] : cs.failures)
    r.set("failures_" + kind, static_cast<std::int64_t>(count));
  const double elapsed_s = static_cast<double>(cs.last_connected_ns - cs.begin_ns) / 1e9;
  r.set("connect_s", std::round(elapsed_s * 1000) / 1000);
  r.set("connections_per_s",
        elapsed_s > 0 ? std::round(static_cast<double>(cs.connected) / elapsed_s) : 0.0);
  r.set_latency("connect", cs.latency.summarize());
}

std::int64_t rss_kib(const RunContext& ctx) {
  const auto s = ctx.probe.sample();
  return s ? s->rss_kib : 0;
}

}  // namespace

// Server RSS per connection, two ways:
//  - per_connection: (RSS with all connected - RSS before any) / connected;
//  - marginal: the slope between a first batch (5 %, which pays for lazily initialized code
//    paths, pools and a JIT's work) and all of them: what each further connection costs, the
//    figure to project from.
// The connects are paced by --connect-concurrency so that the figures are about holding
// connections, not about a burst's transient buffers.
awaitable<int> run_idle(RunContext& ctx, Report& r) {
  const Options& o = ctx.options;
  const auto settle = std::chrono::nanoseconds(static_cast<std::int64_t>(o.settle_s * 1e9));
  NoEvents no_events;
  Fleet fleet(ctx, no_events);
  const unsigned first_batch = std::max(1u, o.connections / 20);
  add_users(ctx, fleet, "i", 0, first_batch);
  const std::int64_t rss_before = rss_kib(ctx);
  co_await fleet.connect_all(o.connect_concurrency, o.connect_timeout_s);
  co_await ctx.sleep_for(settle);
  const std::int64_t rss_first_batch = rss_kib(ctx);
  const std::size_t connected_first_batch = fleet.connect_stats().connected;
  add_users(ctx, fleet, "i", first_batch, o.connections);
  co_await fleet.connect_all(o.connect_concurrency, o.connect_timeout_s);
  co_await ctx.sleep_for(settle);
  const std::int64_t rss_connected = rss_kib(ctx);

  Measurement hold(ctx);  // server cost of keeping the connections open (heartbeats)
  hold.begin();
  co_await ctx.sleep_for(std::chrono::nanoseconds(static_cast<std::int64_t>(o.hold_s * 1e9)));
  hold.end();

  auto& cs = fleet.connect_stats();
  r.set("scenario", o.scenario);
  r.set("label", o.label);
  write_connect_stats(r, cs);
  r.set("dropped", static_cast<std::int64_t>(fleet.dropped()));
  r.set("hold_s", o.hold_s);
  if (ctx.probe.enabled()) {
    const auto bytes_per = [](std::int64_t from_kib, std::int64_t to_kib, std::size_t n) {
      return n ? std::round(static_cast<double>(to_kib - from_kib) * 1024.0 /
                            static_cast<double>(n))
               : 0.0;
    };
    const double per_conn = bytes_per(rss_before, rss_connected, cs.connected);
    const double marginal =
        bytes_per(rss_first_batch, rss_connected, cs.connected - connected_first_batch);
    r.set("server_rss_before_kib", rss_before);
    r.set("server_rss_first_batch_kib", rss_first_batch);
    r.set("server_rss_connected_kib", rss_connected);
    r.set("server_rss_per_connection_bytes", per_conn);
    r.set("server_rss_marginal_per_connection_bytes", marginal);
    // A straight-line projection of the marginal slope, stated as such in RESULTS.md.
    r.set("server_rss_projected_100k_mib",
          std::round((static_cast<double>(rss_first_batch) * 1024 +
                      marginal * (100000.0 - static_cast<double>(connected_first_batch))) /
                     1048576));
  }
  hold.write(r, static_cast<double>(cs.connected) * o.hold_s, "connection_second");
  r.set("first_error", cs.first_failure.empty() ? fleet.first_drop() : cs.first_failure);
  const bool clean = cs.failed == 0 && fleet.dropped() == 0;
  r.set("clean", clean);
  fleet.close_all();
  co_return o.strict && !clean ? 1 : 0;
}

// N clients started at once (or --connect-concurrency at a time): connections per second
// until the last one is connected, connect latency, failures, server CPU per connection.
awaitable<int> run_connect_storm(RunContext& ctx, Report& r) {
  const Options& o = ctx.options;
  NoEvents no_events;
  Fleet fleet(ctx, no_events);
  add_users(ctx, fleet, "c", 0, o.connections);
  Measurement storm(ctx);
  storm.begin();
  co_await fleet.connect_all(o.connect_concurrency, o.connect_timeout_s);
  storm.end();

  auto& cs = fleet.connect_stats();
  r.set("scenario", o.scenario);
  r.set("label", o.label);
  r.set("connect_concurrency", static_cast<std::int64_t>(o.connect_concurrency));
  write_connect_stats(r, cs);
  storm.write(r, static_cast<double>(cs.connected), "connection");
  r.set("first_error", cs.first_failure);
  const bool clean = cs.failed == 0;
  r.set("clean", clean);
  fleet.close_all();
  co_await ctx.sleep_for(std::chrono::milliseconds(200));
  co_return o.strict && !clean ? 1 : 0;
}

}  // namespace cz::loadgen
