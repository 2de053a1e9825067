#pragma once
// The deadline of a graceful shutdown: once armed, the process exits (code 1, with a log line)
// when it has not finished within the timeout, whatever it is waiting for (a client that does
// not answer its close frame, a database that does not answer the last commit).
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace cz::app {

class ShutdownDeadline {
 public:
  ShutdownDeadline() = default;
  ShutdownDeadline(const ShutdownDeadline&) = delete;
  ShutdownDeadline& operator=(const ShutdownDeadline&) = delete;
  // Disarms (the shutdown finished in time).
  ~ShutdownDeadline();

  // Starts the countdown; later calls do nothing. Thread-safe.
  void arm(std::chrono::milliseconds timeout);

 private:
  std::mutex mutex_;
  std::condition_variable finished_;
  bool armed_ = false;
  bool done_ = false;
  std::chrono::steady_clock::time_point deadline_;
  std::thread thread_;
};

}  // namespace cz::app
