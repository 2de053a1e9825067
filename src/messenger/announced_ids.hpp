#pragma once
// The ids of the last messages whose new_message broadcast this node saw confirmed (Redis
// answered the PUBLISH; at once on a single node). A retry of a stored message (same sender and
// client_message_id) whose id is here was delivered and is only acked again; any other retry is
// delivered again: the node that stored it may have died between its commit and Redis's answer,
// and its sender, who then never had an ack, retries on another node.
//
// Bounded (oldest forgotten first): a retry older than the window is delivered again, with the
// same `_id` (receivers keep one message per `_id`). It keeps 64-bit hashes of the ids, not the
// ids (24 bytes an entry instead of ~130): two ids of the window colliding would only spare one
// retry a second delivery. Thread-safe: confirmations arrive on the Redis shard, lookups on the
// rooms' home shards.
//
// The keys sit in one open-addressing table (linear probing, at most half full) beside the ring
// of insertion order: an add used to allocate a node of an unordered_set and free the oldest's,
// ~2 % of the server's samples at 10,000 msg/s (bench/RESULTS.md, 2026-12-04 04:46Z).
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

namespace cz::messenger {

class AnnouncedIds {
 public:
  explicit AnnouncedIds(std::size_t capacity);

  void add(std::string_view id);
  bool contains(std::string_view id) const;

 private:
  static constexpr std::uint64_t kEmpty = 0;  // key_of() never returns it
  std::size_t slot_of(std::uint64_t key) const { return key & mask_; }
  // The key's slot, or the empty slot where its probe ends.
  std::size_t find_slot(std::uint64_t key) const;
  void erase(std::uint64_t key);

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> table_;  // kEmpty or a key; power-of-two size >= 2 * capacity_
  std::size_t mask_ = 0;              // table_.size() - 1
  std::vector<std::uint64_t> ring_;   // insertion order; once full, next_ is the oldest
  std::size_t next_ = 0;
};

}  // namespace cz::messenger
