#pragma once
// The ids of the last messages whose new_message broadcast this node saw confirmed (Redis
// answered the PUBLISH; at once on a single node). A retry of a stored message (same sender and
// client_message_id) whose id is here was delivered and is only acked again; any other retry is
// delivered again: the node that stored it may have died between its commit and Redis's answer,
// and its sender, who then never had an ack, retries on another node.
//
// Bounded (oldest forgotten first): a retry older than the window is delivered again, with the
// same `_id` (receivers keep one message per `_id`). It keeps 64-bit hashes of the ids, not the
// ids (~40 bytes an entry instead of ~130): two ids of the window colliding would only spare one
// retry a second delivery. Thread-safe: confirmations arrive on the Redis shard, lookups on the
// rooms' home shards.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace cz::messenger {

class AnnouncedIds {
 public:
  explicit AnnouncedIds(std::size_t capacity) : capacity_(capacity) {}

  void add(std::string_view id);
  bool contains(std::string_view id) const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_set<std::uint64_t> index_;
  std::vector<std::uint64_t> ring_;  // insertion order; once full, next_ is the oldest
  std::size_t next_ = 0;
};

}  // namespace cz::messenger
