// The message store alone, without sockets: CPU per stored message (all threads of the process:
// the caller, the writer, the checkpointer), as the hot path uses it: insert_message with a
// client id in an existing room, acknowledged on commit. `in_flight` is how many requests wait
// on the writer at once (1: each pays a whole transaction; more: group commit shares one);
// `checkpoint_pages` is the WAL growth between checkpoints (SqliteOptions::checkpoint_pages).
//
//   build-bench/cz-store-bench [--benchmark_filter=...]
//
// Not a test: it measures, it asserts nothing but that every insert succeeded.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>

#include "store/sqlite/sqlite_store.hpp"

namespace {

namespace fs = std::filesystem;
using namespace cz::store;
using cz::Result;

// Waits for a number of callbacks.
class Countdown {
 public:
  void add(int n) {
    std::lock_guard lock(mutex_);
    pending_ += n;
  }
  void done(bool ok) {
    std::lock_guard lock(mutex_);
    if (!ok) ++failures_;
    if (--pending_ == 0) zero_.notify_all();
  }
  // Blocks until at most `limit` callbacks are outstanding.
  void wait_until_at_most(int limit) {
    std::unique_lock lock(mutex_);
    zero_.wait(lock, [&] { return pending_ <= limit; });
  }
  int failures() const { return failures_; }

 private:
  std::mutex mutex_;
  std::condition_variable zero_;
  int pending_ = 0;
  int failures_ = 0;
};

void BM_InsertMessage(benchmark::State& state) {
  const int in_flight = static_cast<int>(state.range(0));
  const int checkpoint_pages = static_cast<int>(state.range(1));
  const fs::path dir = fs::temp_directory_path() / ("cz-store-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  {
    sqlite::SqliteOptions options;
    options.path = (dir / "bench.db").string();
    options.checkpoint_pages = checkpoint_pages;
    sqlite::SqliteStore store(options);
    constexpr int kRooms = 100;
    Countdown pending;
    for (int i = 0; i < kRooms; ++i) {
      CreateRoom room;
      room.buyer = "b" + std::to_string(i);
      room.seller = "s" + std::to_string(i);
      room.creator = room.buyer;
      room.type = "BS";
      room.shop_id = "shop";
      room.shop_json = "{}";
      room.buyer_info_json = "{}";
      pending.add(1);
      store.create_room(room, [&](Result<CreateRoomResult> r) { pending.done(r.ok()); });
    }
    pending.wait_until_at_most(0);

    std::int64_t n = 0;
    // Callbacks run on the writer thread; they only count down.
    for (auto _ : state) {
      pending.wait_until_at_most(in_flight - 1);
      const int room = static_cast<int>(n % kRooms);
      NewMessage m{"b" + std::to_string(room) + ".s" + std::to_string(room),
                   "b" + std::to_string(room),
                   "s" + std::to_string(room),
                   MessageType::Text,
                   std::string(64, 'x'),
                   "c" + std::to_string(n)};
      pending.add(1);
      store.insert_message(std::move(m),
                           [&](Result<InsertMessageResult> r) { pending.done(r.ok()); });
      ++n;
    }
    pending.wait_until_at_most(0);
    if (pending.failures() > 0) state.SkipWithError("some inserts failed");
    const StoreStats stats = store.stats();
    state.counters["msgs_per_txn"] = stats.write_transactions
                                         ? static_cast<double>(stats.writes_committed) /
                                               static_cast<double>(stats.write_transactions)
                                         : 0;
    state.SetItemsProcessed(n);
  }
  fs::remove_all(dir);
}
BENCHMARK(BM_InsertMessage)
    ->ArgNames({"in_flight", "checkpoint_pages"})
    ->ArgsProduct({{1, 32}, {1000, 4000, 16000}})
    ->MeasureProcessCPUTime()
    ->UseRealTime()
    ->MinTime(2.0)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
