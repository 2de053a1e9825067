#include "messenger/presence.hpp"

namespace cz::messenger {

bool LocalPresence::connect(const std::string& user_id, store::Role role) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = users_.try_emplace(user_id);
  Entry& e = it->second;
  if (!inserted && e.sockets == 0) offline_.erase(e.offline_pos);
  e.role = role;
  return e.sockets++ == 0;
}

bool LocalPresence::disconnect(const std::string& user_id, store::Role role, TimeMs now) {
  std::lock_guard lock(mutex_);
  auto it = users_.find(user_id);
  if (it == users_.end() || it->second.sockets == 0) return false;
  Entry& e = it->second;
  e.last_seen = now;
  if (--e.sockets > 0) return false;
  e.role = role;
  went_offline(it);
  return true;
}

void LocalPresence::went_offline(std::unordered_map<std::string, Entry>::iterator it) {
  offline_.push_front(it->first);
  it->second.offline_pos = offline_.begin();
  while (offline_.size() > max_offline_users_) {
    users_.erase(offline_.back());
    offline_.pop_back();
  }
}

std::vector<UserStatus> LocalPresence::statuses(std::vector<std::string> user_ids, TimeMs now) {
  std::vector<UserStatus> out;
  out.reserve(user_ids.size());
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
  return out;
}

std::vector<LocalPresence::OnlineUser> LocalPresence::online_users() {
  std::vector<OnlineUser> out;
  std::lock_guard lock(mutex_);
  out.reserve(users_.size() - offline_.size());
  for (const auto& [id, e] : users_)
    if (e.sockets > 0) out.push_back({id, e.sockets, e.role});
  return out;
}

std::size_t LocalPresence::size() {
  std::lock_guard lock(mutex_);
  return users_.size();
}

void LocalPresence::connected(const std::string& user_id, store::Role role,
                              std::function<void(bool first)> done) {
  done(connect(user_id, role));
}

void LocalPresence::disconnected(const std::string& user_id, store::Role role, TimeMs now,
                                 std::function<void(bool last)> done) {
  done(disconnect(user_id, role, now));
}

void LocalPresence::query(std::vector<std::string> user_ids, TimeMs now,
                          std::function<void(std::vector<UserStatus>)> done) {
  done(statuses(std::move(user_ids), now));
}

}  // namespace cz::messenger
