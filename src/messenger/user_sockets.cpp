#include "messenger/user_sockets.hpp"

namespace cz::messenger {

bool UserSockets::try_add(const std::string& user_id, std::size_t cap) {
  if (cap == 0) return true;
  std::lock_guard lock(mutex_);
  auto [it, inserted] = count_.try_emplace(user_id, 0);
  if (it->second >= cap) return false;
  ++it->second;
  return true;
}

void UserSockets::remove(const std::string& user_id) {
  std::lock_guard lock(mutex_);
  auto it = count_.find(user_id);
  if (it == count_.end()) return;
  if (--it->second == 0) count_.erase(it);  // only users with sockets are kept
}

}  // namespace cz::messenger
