#include "util/post_batch.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace cz::util {
namespace {

struct Pending {
  boost::asio::any_io_executor executor;
  std::vector<Task> tasks;
};

// This thread's open scopes and what they collected, per target executor (a handful: one per
// shard at most).
struct Batch {
  int depth = 0;
  std::vector<Pending> pending;
};

thread_local Batch batch;

void run_all(std::vector<Task>& tasks) {
  PostBatch scope;
  for (Task& task : tasks) task();
}

}  // namespace

bool running_in(const boost::asio::any_io_executor& executor) {
  if (auto* io = executor.target<boost::asio::io_context::executor_type>())
    return io->running_in_this_thread();
  return false;
}

PostBatch::PostBatch() {
  ++batch.depth;
}

PostBatch::~PostBatch() {
  if (batch.depth == 1) flush();
  --batch.depth;
}

void PostBatch::flush() {
  if (batch.pending.empty()) return;
  std::vector<Pending> ready;
  ready.swap(batch.pending);
  for (Pending& p : ready) {
    if (p.tasks.size() == 1) {
      boost::asio::post(p.executor, [task = std::move(p.tasks.front())]() mutable {
        PostBatch scope;
        task();
      });
      continue;
    }
    boost::asio::post(p.executor, [tasks = std::move(p.tasks)]() mutable { run_all(tasks); });
  }
}

namespace detail {

void post_task(const boost::asio::any_io_executor& executor, Task task) {
  if (batch.depth == 0 || running_in(executor)) {
    boost::asio::post(executor, std::move(task));
    return;
  }
  for (Pending& p : batch.pending) {
    if (p.executor == executor) {
      p.tasks.push_back(std::move(task));
      return;
    }
  }
  batch.pending.push_back(Pending{executor, {}});
  batch.pending.back().tasks.push_back(std::move(task));
}

}  // namespace detail
}  // namespace cz::util
