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
// The batch itself (one transaction, savepoints, failure handling): batch_runner.hpp.
//
// Why a thread of its own and not the submitting I/O thread: tried (flat combining, the
// submitter commits): a single-write transaction costs ~40 % less CPU in bench/store without the
// two thread hand-offs, but in the server it lost the grouping (one transaction per message at
// 2,000/s instead of ~2), which cost as much, and the I/O thread then waited on the disk: the
// p99 went from ~8 to ~30 ms.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "store/batch_runner.hpp"
#include "store/error_dispatcher.hpp"
#include "store/job.hpp"
#include "store/work_queue.hpp"
#include "util/thread_name.hpp"

namespace cz::store {

template <typename Conn>
class GroupCommitWriter {
 public:
  using JobPtr = std::unique_ptr<Job<Conn>>;

  GroupCommitWriter(std::unique_ptr<Conn> conn, std::size_t max_batch, std::size_t capacity,
                    ErrorDispatcher& errors,
                    std::chrono::microseconds commit_window = std::chrono::microseconds(0),
                    const char* thread_name = "cz-writer")
      : conn_(std::move(conn)),
        max_batch_(max_batch),
        commit_window_(commit_window),
        queue_(capacity),
        errors_(errors) {
    thread_ = std::thread([this, thread_name] {
      name_this_thread(thread_name);
      loop();
    });
  }
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;
  ~GroupCommitWriter() { stop(); }

  // Queues a write; a full queue or a stopped writer refuses it with STORE_UNAVAILABLE.
  // Returns false when refused.
  bool submit(JobPtr job) {
    return errors_.queue_or_refuse(queue_, std::move(job),
                                   "store overloaded: too many queued writes");
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
      runner_.run(batch);
      batch.clear();
    }
  }

  std::unique_ptr<Conn> conn_;
  WriterCounters counters_;
  BatchRunner<Conn> runner_{*conn_, counters_};
  const std::size_t max_batch_;
  const std::chrono::microseconds commit_window_;
  WorkQueue<JobPtr> queue_;
  ErrorDispatcher& errors_;
  std::thread thread_;
};

}  // namespace cz::store
