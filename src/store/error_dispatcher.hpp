#pragma once
// Delivers refusals (queue full, store shut down) on a thread of its own.
//
// A refused request must fail fast even when the worker threads are stuck on a slow disk, and
// its callback must not run on the caller's stack (the Store contract), so neither the workers
// nor the caller can deliver it. This thread sleeps unless there is something to refuse.
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "store/job.hpp"
#include "store/work_queue.hpp"
#include "util/thread_name.hpp"

namespace cz::store {

class ErrorDispatcher {
 public:
  // Unbounded on purpose: an entry is only a callback to call with an error, delivered at once.
  ErrorDispatcher()
      : queue_(static_cast<std::size_t>(-1)), thread_([this] {
          name_this_thread("cz-refusals");
          loop();
        }) {}
  ErrorDispatcher(const ErrorDispatcher&) = delete;
  ErrorDispatcher& operator=(const ErrorDispatcher&) = delete;
  ~ErrorDispatcher() {
    queue_.close();
    thread_.join();
  }

  void refuse(std::unique_ptr<Completion> job, Error error) {
    refused_.fetch_add(1, std::memory_order_relaxed);
    job->set_error(std::move(error));
    // Once the dispatcher is closing there is no thread left: deliver in place (only reached by
    // requests made while the store is being destroyed).
    if (queue_.push(job) != WorkQueue<std::unique_ptr<Completion>>::Push::Queued) job->complete();
  }

  // Queues `job` on a worker's queue, or refuses it: STORE_UNAVAILABLE with `full_message` when
  // the queue is full, "store is shut down" once it is closed. Returns false when refused.
  template <typename JobPtr>
  bool queue_or_refuse(WorkQueue<JobPtr>& queue, JobPtr job, const char* full_message) {
    switch (queue.push(job)) {
      case WorkQueue<JobPtr>::Push::Queued:
        return true;
      case WorkQueue<JobPtr>::Push::Full:
        refuse(std::move(job), make_error(kStoreUnavailable, full_message));
        return false;
      case WorkQueue<JobPtr>::Push::Closed:
        break;
    }
    refuse(std::move(job), make_error(kStoreUnavailable, "store is shut down"));
    return false;
  }

  std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

 private:
  void loop() {
    std::vector<std::unique_ptr<Completion>> batch;
    while (queue_.pop_batch(batch, 64)) {
      for (auto& job : batch) job->complete();
      batch.clear();
    }
  }

  std::atomic<std::uint64_t> refused_{0};
  WorkQueue<std::unique_ptr<Completion>> queue_;
  std::thread thread_;
};

}  // namespace cz::store
