#include "messenger/announced_ids.hpp"

namespace cz::messenger {

void AnnouncedIds::add(std::string id) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mutex_);
  if (index_.contains(id)) return;
  if (order_.size() == capacity_) {
    index_.erase(order_.front());
    order_.pop_front();
  }
  // A deque never moves its elements on push_back/pop_front, so the view stays valid.
  order_.push_back(std::move(id));
  index_.insert(order_.back());
}

bool AnnouncedIds::contains(std::string_view id) const {
  std::lock_guard lock(mutex_);
  return index_.contains(id);
}

}  // namespace cz::messenger
