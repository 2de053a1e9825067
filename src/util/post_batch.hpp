#pragma once
// Cross-thread posts, batched per target thread.
//
// A message crosses threads several times (the store's writer thread -> the room's home shard ->
// the recipients' shards), and a post to an event loop that sleeps in epoll_wait costs a wake-up
// of that thread: on a 2-vCPU VM that was a larger share of a message's cost than any code of
// ours (bench/RESULTS.md, 2026-12-02). Inside a PostBatch scope, post_to() to another thread's
// executor collects the handler instead; when the outermost scope on this thread ends, each
// target gets ONE handler that runs everything collected for it, in order, itself inside a
// scope (so what it posts onwards is batched too). One wake-up per batch instead of one per
// message.
//
// Ordering: handlers posted from one thread to one executor run in the order posted, batched or
// not — as long as every cross-thread post on these paths goes through post_to(). A post to the
// executor this thread is running is not batched (it is queued at once, as boost::asio::post
// would), so a thread's own deferred work keeps its place too.
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <utility>
#include <vector>

namespace cz::util {

// A type-erased, move-only void() callable (std::move_only_function is C++23).
class Task {
 public:
  Task() = default;
  template <typename F>
  explicit Task(F f) : impl_(std::make_unique<Impl<F>>(std::move(f))) {}
  void operator()() { impl_->call(); }
  explicit operator bool() const { return impl_ != nullptr; }

 private:
  struct Base {
    virtual ~Base() = default;
    virtual void call() = 0;
  };
  template <typename F>
  struct Impl final : Base {
    explicit Impl(F f) : f(std::move(f)) {}
    void call() override { f(); }
    F f;
  };
  std::unique_ptr<Base> impl_;
};

// Opens a batching scope on this thread for its lifetime. Scopes nest; the outermost one sends.
class PostBatch {
 public:
  PostBatch();
  ~PostBatch();
  PostBatch(const PostBatch&) = delete;
  PostBatch& operator=(const PostBatch&) = delete;

  // Sends what has been collected so far (the scope stays open). Called by the destructor.
  static void flush();
};

namespace detail {
void post_task(const boost::asio::any_io_executor& executor, Task task);
}

// Whether this thread is running `executor` (an io_context's).
bool running_in(const boost::asio::any_io_executor& executor);

// boost::asio::post(executor, f), batched per executor inside a PostBatch scope.
template <typename F>
void post_to(const boost::asio::any_io_executor& executor, F f) {
  detail::post_task(executor, Task(std::move(f)));
}

// f() right away when this thread runs `executor`, else post_to(executor, f).
template <typename F>
void run_on(const boost::asio::any_io_executor& executor, F f) {
  if (running_in(executor)) {
    f();
    return;
  }
  post_to(executor, std::move(f));
}

}  // namespace cz::util
