#include "net/io_pool.hpp"

#include <string>

#include "util/thread_name.hpp"

namespace cz::net {

IoPool::IoPool(std::size_t threads) {
  // Default: one per core but one, which the store's writer thread keeps busy under load. On
  // 2 cores one I/O thread cost ~15 % less CPU per message than two (no hop between shards, and
  // the writer is not preempted by a second event loop: bench/RESULTS.md, 2026-12-02).
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency() - 1);
  for (std::size_t i = 0; i < threads; ++i) {
    // concurrency hint 1: each context is run by exactly one thread, so Asio can skip locking.
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
    guards_.emplace_back(contexts_.back()->get_executor());
  }
}

IoPool::~IoPool() {
  stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

std::vector<boost::asio::any_io_executor> IoPool::executors() {
  std::vector<boost::asio::any_io_executor> out;
  for (auto& c : contexts_) out.push_back(c->get_executor());
  return out;
}

ShardId IoPool::next_shard() {
  // Only the acceptor (on shard 0) calls this, so a plain counter is enough.
  return next_++ % contexts_.size();
}

void IoPool::run() {
  // Shard 0 runs on the calling (main) thread, which keeps the process's name: `pgrep
  // cz-messenger` and `ps` go by it.
  for (std::size_t i = 1; i < contexts_.size(); ++i) {
    threads_.emplace_back([ctx = contexts_[i].get(), i] {
      name_this_thread("cz-io-" + std::to_string(i));
      ctx->run();
    });
  }
  contexts_[0]->run();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void IoPool::stop() {
  for (auto& g : guards_) g.reset();
  for (auto& c : contexts_) c->stop();
}

}  // namespace cz::net
