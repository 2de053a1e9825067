#include "net/pending_headers.hpp"

namespace cz::net {

bool PendingHeaders::enter(const std::string& address) {
  if (cap_ == 0) return true;
  std::lock_guard lock(mutex_);
  auto& n = waiting_[address];
  if (n >= cap_) {
    if (n == 0) waiting_.erase(address);
    return false;
  }
  ++n;
  return true;
}

void PendingHeaders::leave(const std::string& address) {
  if (cap_ == 0) return;
  std::lock_guard lock(mutex_);
  auto it = waiting_.find(address);
  if (it == waiting_.end()) return;
  if (--it->second == 0) waiting_.erase(it);  // the table holds only addresses now waiting
}

std::size_t PendingHeaders::count(const std::string& address) const {
  std::lock_guard lock(mutex_);
  auto it = waiting_.find(address);
  return it == waiting_.end() ? 0 : it->second;
}

}  // namespace cz::net
