#pragma once
// The scale-out store: PostgreSQL through libpq.
//
// Threads, as in the SQLite store: one writer thread owns one connection and commits queued
// writes in groups (store/group_commit_writer.hpp: one transaction, one WAL flush per batch,
// pipelined and without savepoints first, store/README.md); `reader_connections` threads each
// own a read connection (a bounded pool: the store never opens more than 1 + reader_connections
// connections). Completions run on those threads; refusals on a small thread of their own.
//
// Several nodes may share one database: migrations take an advisory lock, counters are updated
// in SQL (n = n + 1 under the row lock), creating a room or storing a client retry tolerates
// another node doing the same at the same moment (ON CONFLICT), and messages are ordered by a
// position PostgreSQL gives each row, read under the horizon of transactions in flight
// (store/README.md, "Message order"): no lock across nodes.
//
// When PostgreSQL goes away (restart, failover), reads fail fast with STORE_UNAVAILABLE; writes
// wait for it within PostgresOptions::queue_wait and max_queued_bytes, then are refused with it.
// Every connection reopens by itself on a later request, within a backoff (connection.hpp).
// A write is acknowledged only after its COMMIT returned, so nothing acknowledged is lost; a
// write whose COMMIT was cut off is reported as failed although it may have committed — a retry
// with the same client_message_id then finds it instead of storing it twice.
#include <chrono>
#include <memory>
#include <string>

#include "store/postgres/backend.hpp"
#include "store/postgres/connection.hpp"
#include "store/store_front.hpp"

namespace cz::store::postgres {

struct PostgresOptions {
  std::string url;  // libpq connection URI (postgres://user:pass@host:port/db?libpq-params)
  std::size_t reader_connections = 4;
  std::size_t max_batch = 256;  // writes per transaction
  std::size_t max_queued_writes = 10'000;
  std::size_t max_queued_reads = 10'000;
  int connect_timeout_s = 5;
  // Backpressure (store/README.md, store_front.hpp's WriteLimits): while PostgreSQL is slow or
  // unreachable, writes wait in the queue, up to these bounds, before they are refused with
  // STORE_UNAVAILABLE. A write that has waited longer than `queue_wait` is refused instead of
  // run; while the server cannot be reached, the writer keeps trying to begin a transaction
  // until it has been unreachable that long. Queued writes beyond `max_queued_bytes` (their
  // data, estimated) are refused at once.
  std::chrono::milliseconds queue_wait{5000};
  std::size_t max_queued_bytes = 32u << 20;
  // Group commit's wait for more writes under load (group_commit_writer.hpp): at 5,000
  // messages/s a batch was ~2.5 messages without it and PostgreSQL spent ~130 CPU-us per
  // message; 1 ms made batches ~5 and halved that (~65 us), for at most 1 ms more latency,
  // and only while writes keep coming (bench/RESULTS.md, 2026-12-04, A/B runs at loads
  // 0.4-1.2). `commit_window_us=N`.
  std::chrono::microseconds commit_window{1000};
  // libpq pipeline mode for the savepoint-free pass of each batch (connection.hpp).
  bool pipeline = true;
};

class PostgresStore final : public StoreFront<Backend> {
 public:
  // Connects, applies schema migrations, starts the threads. Throws StoreFailure (a
  // std::runtime_error) when the database cannot be reached or used.
  explicit PostgresStore(PostgresOptions options);
  ~PostgresStore() override;
};

}  // namespace cz::store::postgres

// Instantiated once, in postgres_store.cpp.
extern template class cz::store::StoreFront<cz::store::postgres::Backend>;
