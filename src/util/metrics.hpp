#pragma once
// Metrics for GET /metrics (Prometheus text exposition format 0.0.4), usable from every layer.
//
// The hot path only ever touches a Counter, Gauge or Histogram that it looked up ONCE (at
// start-up, or when a namespace or handler is registered) and keeps by reference: an increment
// is one relaxed atomic add on a slot of the calling thread's own, no lock, no allocation, no
// string work. Labels are fixed at registration. The scrape (Registry::render) sums the slots;
// it may see a sample a few increments stale, never a torn one.
//
//   // once, at start-up:
//   metrics::Counter& publishes = metrics::registry().counter(
//       "cz_redis_publishes_total", "Messages published to Redis");
//   // per event:
//   publishes.inc();
//
// Values that something else already tracks (queue depths, open sessions, process figures) are
// read at scrape time through callbacks (Registry::add_callback) instead of being counted.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cz::metrics {

// Slots per Counter/Gauge: threads are spread over them (round robin, at a thread's first
// increment) so that I/O threads and the store's threads do not bounce one cache line between
// cores. More threads than slots share slots, which stays correct (the adds are atomic).
inline constexpr std::size_t kSlots = 8;

std::size_t assign_thread_slot() noexcept;
inline std::size_t this_thread_slot() noexcept {
  thread_local const std::size_t slot = assign_thread_slot();
  return slot;
}

// A monotonic count.
class Counter {
 public:
  void inc(std::uint64_t n = 1) noexcept {
    slots_[this_thread_slot()].value.fetch_add(n, std::memory_order_relaxed);
  }
  std::uint64_t value() const noexcept;

 private:
  struct alignas(64) Slot {
    std::atomic<std::uint64_t> value{0};
  };
  std::array<Slot, kSlots> slots_;
};

// A value that goes up and down (open connections, say). add() and sub() may come from
// different threads.
class Gauge {
 public:
  void add(std::int64_t n = 1) noexcept {
    slots_[this_thread_slot()].value.fetch_add(n, std::memory_order_relaxed);
  }
  void sub(std::int64_t n = 1) noexcept { add(-n); }
  std::int64_t value() const noexcept;

 private:
  struct alignas(64) Slot {
    std::atomic<std::int64_t> value{0};
  };
  std::array<Slot, kSlots> slots_;
};

// Observations in buckets with fixed upper bounds (in the metric's unit, e.g. seconds). Not
// spread over slots: meant for one writer thread at a time (the store's commit latency), where a
// relaxed add per bucket is already uncontended.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value) noexcept;

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<std::uint64_t> cumulative;  // per bound, then the +Inf bucket (= count)
    double sum = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1 (+Inf)
  std::atomic<double> sum_{0};
};

// Label pairs, e.g. {{"transport", "websocket"}}. Values may be any text (escaped on output).
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Type { Counter, Gauge, Histogram };

// Every metric of the process. Registration takes a lock and may allocate; rendering takes the
// same lock; increments take none. Registering the same name and labels twice returns the same
// object, so code that runs more than once (a namespace created again in a test) stays correct.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Throws std::logic_error when `name` is already registered with another type or labels of
  // other names (a programming error: fails at start-up, not at scrape).
  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help,
                       std::vector<double> upper_bounds, const Labels& labels = {});

  // A counter or gauge read at scrape time. The callback runs on the scraping thread, under the
  // registry's lock (so it must not register metrics). It stays registered until the returned
  // handle is destroyed: keep the handle no longer than what the callback reads.
  using Callback = std::function<double()>;
  [[nodiscard]] std::shared_ptr<void> add_callback(Type type, std::string_view name,
                                                   std::string_view help, const Labels& labels,
                                                   Callback read);

  // The text exposition format 0.0.4: "# HELP", "# TYPE" and the samples of each family, in the
  // order families were first registered.
  std::string render() const;

 private:
  struct Family;
  struct Series;
  Family& family(std::string_view name, std::string_view help, Type type, const Labels& labels);
  Series& series(Family& family, const Labels& labels);
  void remove_callback(const std::string& family, const std::string& label_key);

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Family>> families_;  // registration order
  std::map<std::string, Family*, std::less<>> by_name_;
};

// The process's registry, the one GET /metrics renders.
Registry& registry();

// One family filled by two layers: net (WebSocket send queue over its bound) and engineio (a
// polling client not fetching its packets).
inline constexpr const char* kSlowClientsDropped = "cz_slow_clients_dropped_total";
inline constexpr const char* kSlowClientsDroppedHelp =
    "Clients disconnected because they did not read what was queued for them (--max-send-queue)";

// Bucket bounds in seconds for latencies from 100 µs to 10 s.
std::vector<double> latency_buckets();

}  // namespace cz::metrics
