#pragma once
// Runs one batch of queued writes in one transaction, for the group-commit writer
// (group_commit_writer.hpp, which owns the queue and the thread).
//
// Isolation inside a batch: every job runs under its own SAVEPOINT. A job that ends in an error
// (ROOM_NOT_FOUND, a failed statement, ...) is rolled back to its savepoint, so it leaves nothing
// behind and the rest of the batch commits. If the COMMIT itself fails, the whole batch is rolled
// back and every job that had succeeded gets the commit's error (jobs that had failed keep their
// own error, which stays true). If the database aborts the transaction in the middle (SQLite does
// that on e.g. disk full), the jobs applied so far in it get the error and the batch continues in
// a fresh transaction. Nothing is ever half-applied.
//
// Savepoints are not free (SQLite copies every page a job touches into a statement journal:
// ~10 % of the writer's CPU under load), and jobs almost never fail after writing: they check
// first. So a connection that counts changed rows (total_changes()) runs a batch WITHOUT
// savepoints first. A job that fails having changed nothing needs no undo; if one fails after
// changing something (or the database drops the transaction), the batch is rolled back and run
// again under savepoints as above. Jobs are plain database operations, safe to run twice. At
// worst a batch costs twice its work, and only when it holds such a job.
//
// Conn must provide: begin(), commit(), rollback() noexcept, savepoint(), release_savepoint(),
// rollback_to_savepoint(), in_transaction(); the first six throw StoreFailure. Optionally
// lost_transaction_error(): the error for jobs whose transaction ended under them, and
// total_changes(): rows changed so far on the connection (enables the savepoint-free pass);
// settle() -> bool: in that pass, before COMMIT, waits for answers the connection has not read
// yet (PostgreSQL pipelines the pass); false sends the batch back to run under savepoints.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "store/job.hpp"
#include "store/metrics.hpp"
#include "util/post_batch.hpp"

namespace cz::store {

struct WriterCounters {
  std::atomic<std::uint64_t> transactions{0};  // committed
  std::atomic<std::uint64_t> writes{0};        // jobs delivered after a successful commit
  std::atomic<std::uint64_t> failed_transactions{0};
  std::atomic<std::uint64_t> largest_batch{0};
  // Batches run again under savepoints (a job failed after writing; see above).
  std::atomic<std::uint64_t> guarded_reruns{0};
  // COMMITs that took longer than kSlowCommit, and the longest: every write queued meanwhile
  // waits that long for its ack (with SQLite: the WAL header sync after each checkpoint cycle).
  std::atomic<std::uint64_t> slow_commits{0};
  std::atomic<std::int64_t> longest_commit_us{0};
};

inline constexpr std::chrono::milliseconds kSlowCommit{5};

template <typename Conn>
class BatchRunner {
 public:
  using JobPtr = std::unique_ptr<Job<Conn>>;

  BatchRunner(Conn& conn, WriterCounters& counters) : conn_(conn), counters_(counters) {}

  // Runs the jobs, commits, then completes each one (its callback runs on this thread).
  void run(std::vector<JobPtr>& batch) {
    note_batch_size(batch.size());
    if constexpr (kCountsChanges) {
      if (run_unguarded(batch)) return;
    }
    run_guarded(batch);
  }

 private:
  static constexpr bool kCountsChanges = requires(Conn & c) { c.total_changes(); };
  static constexpr bool kSettles = requires(Conn & c) { c.settle(); };

  // The savepoint-free pass. Returns false, with the transaction rolled back and no job
  // completed, when the batch must be run again under savepoints.
  bool run_unguarded(std::vector<JobPtr>& batch) {
    if (!begin(batch, 0)) return true;
    for (JobPtr& job : batch) {
      const auto changes_before = conn_.total_changes();
      job->run(conn_);
      const bool undo_needed = job->failed() && conn_.total_changes() != changes_before;
      if (undo_needed || !conn_.in_transaction()) {
        conn_.rollback();
        counters_.guarded_reruns.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
    }
    if constexpr (kSettles) {
      // A pipelining connection (PostgreSQL) reads the batch's answers only now.
      if (!conn_.settle()) {
        conn_.rollback();
        counters_.guarded_reruns.fetch_add(1, std::memory_order_relaxed);
        return false;
      }
    }
    commit_and_complete(batch, 0);
    return true;
  }

  void run_guarded(std::vector<JobPtr>& batch) {
    std::size_t first = 0;  // first job of the open transaction
    if (!begin(batch, first)) return;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      run_isolated(*batch[i]);
      if (!conn_.in_transaction()) {
        // The database rolled the transaction back under us: what ran in it is gone, this job
        // included (it keeps its own error if it has one).
        fail_range(batch, first, i + 1, lost_transaction_error());
        first = i + 1;
        if (first < batch.size() && !begin(batch, first)) return;
      }
    }
    if (first == batch.size()) return;
    commit_and_complete(batch, first);
  }

  // Commits the open transaction, then delivers batch[first..]: their outcomes, or the commit's
  // error to those that had succeeded.
  void commit_and_complete(std::vector<JobPtr>& batch, std::size_t first) {
    const auto started = std::chrono::steady_clock::now();
    try {
      conn_.commit();
    } catch (const StoreFailure& failure) {
      conn_.rollback();
      fail_range(batch, first, batch.size(), failure.error());
      return;
    }
    note_commit_time(std::chrono::steady_clock::now() - started);
    counters_.transactions.fetch_add(1, std::memory_order_relaxed);
    counters_.writes.fetch_add(batch.size() - first, std::memory_order_relaxed);
    // One post per target thread for the whole batch (util/post_batch.hpp), not one per job.
    util::PostBatch posts;
    for (std::size_t i = first; i < batch.size(); ++i) batch[i]->complete();
  }

  // Opens the transaction for batch[first..]; on failure delivers the error to all of them.
  bool begin(std::vector<JobPtr>& batch, std::size_t first) {
    try {
      conn_.begin();
      return true;
    } catch (const StoreFailure& failure) {
      counters_.failed_transactions.fetch_add(1, std::memory_order_relaxed);
      for (std::size_t i = first; i < batch.size(); ++i) {
        batch[i]->set_error(failure.error());
        batch[i]->complete();
      }
      return false;
    }
  }

  void run_isolated(Job<Conn>& job) {
    bool ran = false;
    try {
      conn_.savepoint();
      ran = true;
      job.run(conn_);
      if (job.failed()) conn_.rollback_to_savepoint();
      conn_.release_savepoint();
    } catch (const StoreFailure& failure) {
      // Keep the job's own error when it has one: it says what went wrong first.
      if (!ran || !job.failed()) job.set_error(failure.error());
    }
  }

  // Jobs [from, to) lost their transaction: the ones that had succeeded get `error`.
  void fail_range(std::vector<JobPtr>& batch, std::size_t from, std::size_t to,
                  const Error& error) {
    counters_.failed_transactions.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t i = from; i < to; ++i) {
      if (!batch[i]->failed()) batch[i]->set_error(error);
      batch[i]->complete();
    }
  }

  // A connection may say why its transaction is gone (PostgreSQL: the server went away, which
  // is worth retrying); otherwise the database aborted it.
  Error lost_transaction_error() const {
    if constexpr (requires(const Conn& c) { c.lost_transaction_error(); }) {
      return conn_.lost_transaction_error();
    } else {
      return make_error(kStoreError, "transaction aborted by the database");
    }
  }

  void note_commit_time(std::chrono::steady_clock::duration took) {
    commit_latency().observe(std::chrono::duration<double>(took).count());
    if (took > kSlowCommit) counters_.slow_commits.fetch_add(1, std::memory_order_relaxed);
    const std::int64_t us = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
    std::int64_t longest = counters_.longest_commit_us.load(std::memory_order_relaxed);
    while (us > longest && !counters_.longest_commit_us.compare_exchange_weak(longest, us)) {
    }
  }

  void note_batch_size(std::size_t n) {
    std::uint64_t seen = counters_.largest_batch.load(std::memory_order_relaxed);
    while (n > seen && !counters_.largest_batch.compare_exchange_weak(seen, n)) {
    }
  }

  Conn& conn_;
  WriterCounters& counters_;
};

}  // namespace cz::store
