// idle and connect-storm: many sockets, each its own user (alternately BUYER and SELLER),
// connected to the namespace (so authenticated and joined to the user's room).
#include <cmath>

#include "fleet.hpp"
#include "scenarios.hpp"

namespace cz::loadgen {
namespace {

class NoEvents final : public FleetHandler {};

void add_users(RunContext& ctx, Fleet& fleet, const char* tag) {
  const Options& o = ctx.options;
  for (unsigned i = 0; i < o.connections; ++i) {
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

// Server RSS per connection = (RSS after connecting and settling - RSS before) / connected.
// The connects are paced by --connect-concurrency so that the figure is about holding
// connections, not about a burst's transient buffers.
awaitable<int> run_idle(RunContext& ctx, Report& r) {
  const Options& o = ctx.options;
  NoEvents no_events;
  Fleet fleet(ctx, no_events);
  add_users(ctx, fleet, "i");
  const std::int64_t rss_before = rss_kib(ctx);
  co_await fleet.connect_all(o.connect_concurrency, o.connect_timeout_s);
  co_await ctx.sleep_for(std::chrono::nanoseconds(static_cast<std::int64_t>(o.settle_s * 1e9)));
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
    r.set("server_rss_before_kib", rss_before);
    r.set("server_rss_connected_kib", rss_connected);
    const double per_conn = cs.connected ? static_cast<double>(rss_connected - rss_before) *
                                               1024.0 / static_cast<double>(cs.connected)
                                         : 0;
    r.set("server_rss_per_connection_bytes", std::round(per_conn));
    r.set("server_rss_per_connection_kib", std::round(per_conn / 1024 * 100) / 100);
    // A straight-line projection of the measured slope, stated as such in RESULTS.md.
    r.set("server_rss_projected_100k_mib",
          std::round((static_cast<double>(rss_before) * 1024 + per_conn * 100000) / 1048576));
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
  add_users(ctx, fleet, "c");
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
