#pragma once
// Reads run on a few threads, each with its own connection (SQLite in WAL mode lets readers
// proceed while the writer commits; PostgreSQL serves concurrent connections anyway), so a
// history query never waits behind the write queue and never blocks an I/O thread.
#include <memory>
#include <thread>
#include <vector>

#include "store/error_dispatcher.hpp"
#include "store/job.hpp"
#include "store/work_queue.hpp"
#include "util/thread_name.hpp"

namespace cz::store {

template <typename Conn>
class ReaderPool {
 public:
  using JobPtr = std::unique_ptr<Job<Conn>>;

  ReaderPool(std::vector<std::unique_ptr<Conn>> conns, std::size_t capacity,
             ErrorDispatcher& errors)
      : conns_(std::move(conns)), queue_(capacity), errors_(errors) {
    for (auto& conn : conns_) {
      threads_.emplace_back([this, c = conn.get()] {
        name_this_thread("cz-reader");
        loop(*c);
      });
    }
  }
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;
  ~ReaderPool() { stop(); }

  bool submit(JobPtr job) {
    return errors_.queue_or_refuse(queue_, std::move(job),
                                   "store overloaded: too many queued reads");
  }

  std::size_t queued() const { return queue_.size(); }

  // Finishes queued reads, then stops the threads and closes the connections. Idempotent.
  void stop() {
    queue_.close();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    conns_.clear();
  }

 private:
  void loop(Conn& conn) {
    std::vector<JobPtr> one;
    // One job at a time, so that a slow query on one thread does not hold others' work.
    while (queue_.pop_batch(one, 1)) {
      one.front()->run(conn);
      one.front()->complete();
      one.clear();
    }
  }

  std::vector<std::unique_ptr<Conn>> conns_;
  WorkQueue<JobPtr> queue_;
  ErrorDispatcher& errors_;
  std::vector<std::thread> threads_;
};

}  // namespace cz::store
