#pragma once
// A bounded multi-producer queue of jobs for the store's worker threads.
//
// Bounded so that an overloaded or stalled database turns into fast STORE_UNAVAILABLE errors
// instead of unbounded memory and latency. Consumers take several jobs at once (the writer's
// group commit). The queue can be paused (consumers wait; producers still enqueue up to the
// bound) — for tests that need a deterministic batch and for maintenance such as a file copy.
//
// A consumer may "linger" (pop_batch with a linger time): having found work, it waits a little
// longer for more, so that one transaction serves several requests. While it lingers, producers
// do not wake it (it sleeps its window out unless the batch fills up): a wake-up per request is
// what lingering saves, with the transaction per request.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

namespace cz::store {

template <typename T>
class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  explicit WorkQueue(std::size_t capacity) : capacity_(capacity) {}

  enum class Push { Queued, Full, Closed };

  // Moves `item` in only when the result is Queued.
  Push push(T& item) {
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      if (closed_) return Push::Closed;
      if (items_.size() >= capacity_) return Push::Full;
      items_.push_back(std::move(item));
      // Wake only a consumer that waits for work, or a lingering one whose batch is now full.
      wake = idle_consumers_ > 0 || (fill_target_ > 0 && items_.size() >= fill_target_);
    }
    if (wake) ready_.notify_one();
    return Push::Queued;
  }

  // Waits for work and moves up to `max` items into `out`. Returns false once the queue is
  // closed and empty. A closed queue is drained even while paused.
  //
  // `linger` (> 0): once work is there and fewer than `max` items are queued, waits up to that
  // long for the batch to fill before taking it — but only when the previous batch was taken
  // less than `linger_if_within` ago (requests are arriving often enough for the wait to gather
  // more; an occasional request is taken at once and pays no delay).
  bool pop_batch(std::vector<T>& out, std::size_t max,
                 std::chrono::microseconds linger = std::chrono::microseconds(0),
                 std::chrono::microseconds linger_if_within = std::chrono::microseconds(0)) {
    std::unique_lock lock(mutex_);
    for (;;) {
      ++idle_consumers_;
      ready_.wait(lock, [&] { return closed_ || (!paused_ && !items_.empty()); });
      --idle_consumers_;
      if (items_.empty()) return false;
      if (linger.count() <= 0 || closed_ || items_.size() >= max) break;
      const auto now = Clock::now();
      if (now - last_taken_ >= linger_if_within) break;
      fill_target_ = max;
      ready_.wait_until(lock, now + linger, [&] { return closed_ || items_.size() >= max; });
      fill_target_ = 0;
      // Paused meanwhile: wait for resume() like any paused consumer.
      if (!paused_ || closed_) break;
    }
    const std::size_t n = items_.size() < max ? items_.size() : max;
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    last_taken_ = Clock::now();
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
  std::size_t idle_consumers_ = 0;  // consumers waiting for work (or for resume())
  std::size_t fill_target_ = 0;     // a lingering consumer's batch size; 0 when none lingers
  Clock::time_point last_taken_{};
  bool closed_ = false;
  bool paused_ = false;
};

}  // namespace cz::store
