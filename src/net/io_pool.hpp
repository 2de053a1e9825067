#pragma once
// One io_context per I/O thread ("shard"). A connection is bound to one shard for its whole life
// and everything it owns is touched only on that shard's thread, so the message path needs no
// locks. Work for another connection is posted to that connection's shard.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace cz::net {

using ShardId = std::uint32_t;

class IoPool {
 public:
  explicit IoPool(std::size_t threads);
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;
  ~IoPool();

  std::size_t size() const { return contexts_.size(); }
  boost::asio::io_context& context(ShardId shard) { return *contexts_[shard]; }
  boost::asio::any_io_executor executor(ShardId shard) { return contexts_[shard]->get_executor(); }
  std::vector<boost::asio::any_io_executor> executors();

  // Picks the shard for a new connection (round robin).
  ShardId next_shard();

  // Runs shards 1..n-1 on new threads and shard 0 on the calling thread; returns after stop()
  // once all threads have finished.
  void run();
  // Stops every io_context; safe from any thread and from signal handlers posted to a shard.
  void stop();

 private:
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
  std::vector<WorkGuard> guards_;
  std::vector<std::thread> threads_;
  std::uint32_t next_ = 0;
};

}  // namespace cz::net
