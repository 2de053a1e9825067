#pragma once
// The single writer: one thread owns the write connection and commits queued writes in groups.
//
// Each turn it takes every queued write (at most `max_batch`), runs them in ONE transaction,
// commits, and only then calls each callback — so one disk sync serves a whole batch, and an
// acknowledgement built on a callback means "committed".
//
// Commit window (`commit_window` > 0): under a steady stream of single requests, "everything
// queued" is one request per turn, and each pays a whole transaction (with SQLite, writing every
// page it touched to the WAL again) plus a thread wake-up. So when the previous batch was taken
// less than two windows ago, the writer waits up to one window for more requests before it
// begins (work_queue.hpp: producers do not wake it meanwhile). That delays an acknowledgement
// by at most the window, and only under load; an isolated request is committed at once.
//
// Isolation inside a batch: every job runs under its own SAVEPOINT. A job that ends in an error
// (ROOM_NOT_FOUND, a failed statement, ...) is rolled back to its savepoint, so it leaves nothing
// behind and the rest of the batch commits. If the COMMIT itself fails, the whole batch is rolled
// back and every job that had succeeded gets the commit's error (jobs that had failed keep their
// own error, which stays true). If the database aborts the transaction in the middle (SQLite does
// that on e.g. disk full), the jobs applied so far in it get the error and the batch continues in
// a fresh transaction. Nothing is ever half-applied.
//
// Conn must provide: begin(), commit(), rollback() noexcept, savepoint(), release_savepoint(),
// rollback_to_savepoint(), in_transaction(); the first six throw StoreFailure. Optionally
// lost_transaction_error(): the error for jobs whose transaction ended under them.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "store/error_dispatcher.hpp"
#include "store/job.hpp"
#include "store/work_queue.hpp"

namespace cz::store {

struct WriterCounters {
  std::atomic<std::uint64_t> transactions{0};  // committed
  std::atomic<std::uint64_t> writes{0};        // jobs delivered after a successful commit
  std::atomic<std::uint64_t> failed_transactions{0};
  std::atomic<std::uint64_t> largest_batch{0};
};

template <typename Conn>
class GroupCommitWriter {
 public:
  using JobPtr = std::unique_ptr<Job<Conn>>;

  GroupCommitWriter(std::unique_ptr<Conn> conn, std::size_t max_batch, std::size_t capacity,
                    ErrorDispatcher& errors,
                    std::chrono::microseconds commit_window = std::chrono::microseconds(0))
      : conn_(std::move(conn)),
        max_batch_(max_batch),
        commit_window_(commit_window),
        queue_(capacity),
        errors_(errors) {
    thread_ = std::thread([this] { loop(); });
  }
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;
  ~GroupCommitWriter() { stop(); }

  // Queues a write; a full queue or a stopped writer refuses it with STORE_UNAVAILABLE.
  // Returns false when refused.
  bool submit(JobPtr job) {
    switch (queue_.push(job)) {
      case WorkQueue<JobPtr>::Push::Queued:
        return true;
      case WorkQueue<JobPtr>::Push::Full:
        errors_.refuse(std::move(job),
                       make_error(kStoreUnavailable, "store overloaded: too many queued writes"));
        return false;
      case WorkQueue<JobPtr>::Push::Closed:
        break;
    }
    errors_.refuse(std::move(job), make_error(kStoreUnavailable, "store is shut down"));
    return false;
  }

  void pause() { queue_.pause(); }
  void resume() { queue_.resume(); }
  std::size_t queued() const { return queue_.size(); }
  const WriterCounters& counters() const { return counters_; }

  // Commits what is queued, then stops the thread and closes the connection. Idempotent.
  void stop() {
    queue_.close();
    if (thread_.joinable()) thread_.join();
    conn_.reset();
  }

 private:
  void loop() {
    std::vector<JobPtr> batch;
    batch.reserve(max_batch_);
    while (queue_.pop_batch(batch, max_batch_, commit_window_, 2 * commit_window_)) {
      run_batch(batch);
      batch.clear();
    }
  }

  void run_batch(std::vector<JobPtr>& batch) {
    note_batch_size(batch.size());
    std::size_t first = 0;  // first job of the open transaction
    if (!begin(batch, first)) return;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      run_isolated(*batch[i]);
      if (!conn_->in_transaction()) {
        // The database rolled the transaction back under us: what ran in it is gone, this job
        // included (it keeps its own error if it has one).
        fail_range(batch, first, i + 1, lost_transaction_error());
        first = i + 1;
        if (first < batch.size() && !begin(batch, first)) return;
      }
    }
    if (first == batch.size()) return;
    try {
      conn_->commit();
    } catch (const StoreFailure& failure) {
      conn_->rollback();
      fail_range(batch, first, batch.size(), failure.error());
      return;
    }
    counters_.transactions.fetch_add(1, std::memory_order_relaxed);
    counters_.writes.fetch_add(batch.size() - first, std::memory_order_relaxed);
    for (std::size_t i = first; i < batch.size(); ++i) batch[i]->complete();
  }

  // Opens the transaction for batch[first..]; on failure delivers the error to all of them.
  bool begin(std::vector<JobPtr>& batch, std::size_t first) {
    try {
      conn_->begin();
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
      conn_->savepoint();
      ran = true;
      job.run(*conn_);
      if (job.failed()) conn_->rollback_to_savepoint();
      conn_->release_savepoint();
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
      return conn_->lost_transaction_error();
    } else {
      return make_error(kStoreError, "transaction aborted by the database");
    }
  }

  void note_batch_size(std::size_t n) {
    std::uint64_t seen = counters_.largest_batch.load(std::memory_order_relaxed);
    while (n > seen && !counters_.largest_batch.compare_exchange_weak(seen, n)) {
    }
  }

  std::unique_ptr<Conn> conn_;
  const std::size_t max_batch_;
  const std::chrono::microseconds commit_window_;
  WorkQueue<JobPtr> queue_;
  ErrorDispatcher& errors_;
  WriterCounters counters_;
  std::thread thread_;
};

}  // namespace cz::store
