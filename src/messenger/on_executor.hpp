#pragma once
// Store callbacks run on the store's threads; what they do next (render, answer, broadcast)
// belongs on an I/O thread.
#include <boost/asio/any_io_executor.hpp>
#include <utility>

#include "store/store.hpp"
#include "util/post_batch.hpp"

namespace cz::messenger {

// Wraps a handler of Result<T> so that it runs on `executor` instead of the store's thread
// (batched with the other completions of the same commit: util/post_batch.hpp).
template <typename T, typename F>
store::Callback<T> on_executor(boost::asio::any_io_executor executor, F handler) {
  return [executor = std::move(executor), handler = std::move(handler)](Result<T> r) mutable {
    util::post_to(executor, [handler = std::move(handler), r = std::move(r)]() mutable {
      handler(std::move(r));
    });
  };
}

}  // namespace cz::messenger
