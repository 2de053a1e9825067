#include "messenger/presence.hpp"

namespace cz::messenger {

void LocalPresence::connected(const std::string& user_id, store::Role role,
                              std::function<void(bool first)> done) {
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    Entry& e = users_[user_id];
    first = e.sockets++ == 0;
    e.role = role;
  }
  done(first);
}

void LocalPresence::disconnected(const std::string& user_id, store::Role role, TimeMs now,
                                 std::function<void(bool last)> done) {
  bool last = false;
  {
    std::lock_guard lock(mutex_);
    auto it = users_.find(user_id);
    if (it != users_.end() && it->second.sockets > 0) {
      Entry& e = it->second;
      last = --e.sockets == 0;
      e.last_seen = now;
      if (last) e.role = role;
    }
  }
  done(last);
}

void LocalPresence::query(std::vector<std::string> user_ids, TimeMs now,
                          std::function<void(std::vector<UserStatus>)> done) {
  std::vector<UserStatus> out;
  out.reserve(user_ids.size());
  {
    std::lock_guard lock(mutex_);
    for (auto& id : user_ids) {
      UserStatus s;
      if (auto it = users_.find(id); it != users_.end()) {
        s.online = it->second.sockets > 0;
        s.role = it->second.role;
        s.last_seen = s.online ? std::optional<TimeMs>(now) : it->second.last_seen;
      }
      s.user_id = std::move(id);
      out.push_back(std::move(s));
    }
  }
  done(std::move(out));
}

}  // namespace cz::messenger
