#pragma once
// The ids of the last messages whose new_message broadcast this node saw confirmed (Redis
// answered the PUBLISH; at once on a single node). A retry of a stored message (same sender and
// client_message_id) whose id is here was delivered and is only acked again; any other retry is
// delivered again: the node that stored it may have died between its commit and Redis's answer,
// and its sender, who then never had an ack, retries on another node.
//
// Bounded (oldest forgotten first): a retry older than the window is delivered again, with the
// same `_id` (receivers keep one message per `_id`). Thread-safe: confirmations arrive on the
// Redis shard, lookups on the rooms' home shards.
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

namespace cz::messenger {

class AnnouncedIds {
 public:
  explicit AnnouncedIds(std::size_t capacity) : capacity_(capacity) {}

  void add(std::string id);
  bool contains(std::string_view id) const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_set<std::string_view> index_;  // views of the strings in order_
  std::deque<std::string> order_;               // oldest first
};

}  // namespace cz::messenger
