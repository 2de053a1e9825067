#pragma once
// A bounded multi-producer queue of jobs for the store's worker threads.
//
// Bounded so that an overloaded or stalled database turns into fast STORE_UNAVAILABLE errors
// instead of unbounded memory and latency. Consumers take several jobs at once (the writer's
// group commit). The queue can be paused (consumers wait; producers still enqueue up to the
// bound) — for tests that need a deterministic batch and for maintenance such as a file copy.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

namespace cz::store {

template <typename T>
class WorkQueue {
 public:
  explicit WorkQueue(std::size_t capacity) : capacity_(capacity) {}

  enum class Push { Queued, Full, Closed };

  // Moves `item` in only when the result is Queued.
  Push push(T& item) {
    {
      std::lock_guard lock(mutex_);
      if (closed_) return Push::Closed;
      if (items_.size() >= capacity_) return Push::Full;
      items_.push_back(std::move(item));
    }
    ready_.notify_one();
    return Push::Queued;
  }

  // Waits for work and moves up to `max` items into `out`. Returns false once the queue is
  // closed and empty. A closed queue is drained even while paused.
  bool pop_batch(std::vector<T>& out, std::size_t max) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return closed_ || (!paused_ && !items_.empty()); });
    if (items_.empty()) return false;
    const std::size_t n = items_.size() < max ? items_.size() : max;
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    return true;
  }

  void close() {
    set([&] { closed_ = true; });
  }
  void pause() {
    set([&] { paused_ = true; });
  }
  void resume() {
    set([&] { paused_ = false; });
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }

 private:
  template <typename F>
  void set(F change) {
    {
      std::lock_guard lock(mutex_);
      change();
    }
    ready_.notify_all();
  }

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<T> items_;
  bool closed_ = false;
  bool paused_ = false;
};

}  // namespace cz::store
