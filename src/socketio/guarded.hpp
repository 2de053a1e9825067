#pragma once
// Runs application code (handlers, middleware, callbacks) so that an exception it throws is
// logged instead of unwinding into the event loop, where it would stop the shard's thread and
// with it every connection on that shard.
#include <spdlog/spdlog.h>

#include <exception>
#include <string_view>

namespace cz::socketio {

template <typename F>
bool guarded(std::string_view what, F&& f) noexcept {
  try {
    f();
    return true;
  } catch (const std::exception& e) {
    spdlog::error("socket.io: {} threw: {}", what, e.what());
  } catch (...) {
    spdlog::error("socket.io: {} threw a non-standard exception", what);
  }
  return false;
}

}  // namespace cz::socketio
