#pragma once
// Store completions for one shard, handed over in one post per burst instead of one per
// completion.
//
// The store's writer completes a whole committed batch at once. Posting each completion to the
// I/O thread separately costs a queue operation and, when that thread sleeps in epoll, a wake-up
// each; an inbox posts only when it goes from empty to non-empty, and the I/O thread then runs
// everything that arrived meanwhile. FIFO, so a room's completions keep their commit order.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace cz::messenger {

// Item: what one completion carries; Handler: void(Item&&), run on the shard's thread.
template <typename Item, typename Handler>
class ShardInbox : public std::enable_shared_from_this<ShardInbox<Item, Handler>> {
 public:
  ShardInbox(boost::asio::any_io_executor executor, Handler handler)
      : executor_(std::move(executor)), handler_(std::move(handler)) {}

  // Any thread.
  void push(Item item) {
    bool first = false;
    {
      std::lock_guard lock(mutex_);
      first = pending_.empty();
      pending_.push_back(std::move(item));
    }
    if (first) {
      boost::asio::post(executor_, [self = this->shared_from_this()] { self->drain(); });
    }
  }

 private:
  void drain() {
    {
      std::lock_guard lock(mutex_);
      running_.swap(pending_);
    }
    for (Item& item : running_) handler_(std::move(item));
    running_.clear();  // keeps the capacity: the next burst allocates nothing
  }

  const boost::asio::any_io_executor executor_;
  Handler handler_;
  std::mutex mutex_;
  std::vector<Item> pending_;  // under mutex_
  std::vector<Item> running_;  // the shard's thread only
};

}  // namespace cz::messenger
