#include "app/shutdown.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "util/thread_name.hpp"

namespace cz::app {

void ShutdownDeadline::arm(std::chrono::milliseconds timeout) {
  std::lock_guard lock(mutex_);
  if (armed_) return;
  armed_ = true;
  deadline_ = std::chrono::steady_clock::now() + timeout;
  thread_ = std::thread([this, timeout] {
    name_this_thread("cz-shutdown");
    std::unique_lock lock(mutex_);
    if (finished_.wait_until(lock, deadline_, [this] { return done_; })) return;
    spdlog::critical("shutdown: not finished within {} ms (--shutdown-timeout); exiting now",
                     timeout.count());
    spdlog::default_logger()->flush();
    // Whatever is still running is abandoned: no destructor may wait for it. What was
    // committed stays committed (the stores' transactions are atomic).
    std::_Exit(1);
  });
}

ShutdownDeadline::~ShutdownDeadline() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  finished_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace cz::app
