#include "messenger/announced_ids.hpp"

#include <bit>
#include <functional>

namespace cz::messenger {
namespace {

std::uint64_t key_of(std::string_view id) {
  const std::uint64_t h = std::hash<std::string_view>{}(id);
  return h == 0 ? 1 : h;  // 0 marks an empty slot
}

}  // namespace

AnnouncedIds::AnnouncedIds(std::size_t capacity) : capacity_(capacity) {
  if (capacity_ == 0) return;
  table_.assign(std::bit_ceil(2 * capacity_), kEmpty);
  mask_ = table_.size() - 1;
  ring_.reserve(capacity_);
}

std::size_t AnnouncedIds::find_slot(std::uint64_t key) const {
  std::size_t i = slot_of(key);
  while (table_[i] != kEmpty && table_[i] != key) i = (i + 1) & mask_;
  return i;
}

void AnnouncedIds::erase(std::uint64_t key) {
  std::size_t hole = find_slot(key);
  if (table_[hole] == kEmpty) return;
  // Backward-shift deletion: move later keys of the probe run into the hole when their home
  // slot does not lie after it, so that no lookup meets an empty slot before its key.
  for (std::size_t i = (hole + 1) & mask_; table_[i] != kEmpty; i = (i + 1) & mask_) {
    const std::size_t home = slot_of(table_[i]);
    const bool home_after_hole = ((i - home) & mask_) < ((i - hole) & mask_);
    if (home_after_hole) continue;
    table_[hole] = table_[i];
    hole = i;
  }
  table_[hole] = kEmpty;
}

void AnnouncedIds::add(std::string_view id) {
  if (capacity_ == 0) return;
  const std::uint64_t key = key_of(id);
  std::lock_guard lock(mutex_);
  if (table_[find_slot(key)] == key) return;
  if (ring_.size() < capacity_) {
    ring_.push_back(key);
  } else {
    erase(ring_[next_]);
    ring_[next_] = key;
    next_ = (next_ + 1) % capacity_;
  }
  table_[find_slot(key)] = key;
}

bool AnnouncedIds::contains(std::string_view id) const {
  if (capacity_ == 0) return false;
  const std::uint64_t key = key_of(id);
  std::lock_guard lock(mutex_);
  return table_[find_slot(key)] == key;
}

}  // namespace cz::messenger
