#pragma once
// Whether the calling thread is the one running an executor's io_context: lets thread-safe entry
// points act inline on their own shard and post only when called from elsewhere.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

namespace cz::socketio {

inline bool running_in(const boost::asio::any_io_executor& executor) {
  if (auto* io = executor.target<boost::asio::io_context::executor_type>())
    return io->running_in_this_thread();
  return false;  // unknown executor kind: always post, which is always correct
}

}  // namespace cz::socketio
