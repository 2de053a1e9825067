#include "messenger/announced_ids.hpp"

#include <functional>

namespace cz::messenger {
namespace {

std::uint64_t key_of(std::string_view id) {
  return std::hash<std::string_view>{}(id);
}

}  // namespace

void AnnouncedIds::add(std::string_view id) {
  if (capacity_ == 0) return;
  const std::uint64_t key = key_of(id);
  std::lock_guard lock(mutex_);
  if (!index_.insert(key).second) return;
  if (ring_.size() < capacity_) {
    ring_.push_back(key);
    return;
  }
  index_.erase(ring_[next_]);
  ring_[next_] = key;
  next_ = (next_ + 1) % capacity_;
}

bool AnnouncedIds::contains(std::string_view id) const {
  const std::uint64_t key = key_of(id);
  std::lock_guard lock(mutex_);
  return index_.contains(key);
}

}  // namespace cz::messenger
