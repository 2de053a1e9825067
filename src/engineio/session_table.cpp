#include "engineio/session_table.hpp"

#include "engineio/session.hpp"

namespace cz::engineio {

void SessionTable::insert(const std::string& id, std::shared_ptr<Session> session) {
  auto& s = stripe(id);
  std::lock_guard lock(s.mutex);
  s.sessions[id] = std::move(session);
}

std::shared_ptr<Session> SessionTable::find(const std::string& id) const {
  auto& s = stripe(id);
  std::lock_guard lock(s.mutex);
  auto it = s.sessions.find(id);
  return it == s.sessions.end() ? nullptr : it->second;
}

void SessionTable::erase(const std::string& id, const Session* session) {
  std::shared_ptr<Session> removed;  // destroyed outside the lock
  auto& s = stripe(id);
  std::lock_guard lock(s.mutex);
  auto it = s.sessions.find(id);
  if (it != s.sessions.end() && it->second.get() == session) {
    removed = std::move(it->second);
    s.sessions.erase(it);
  }
}

std::vector<std::shared_ptr<Session>> SessionTable::snapshot() const {
  std::vector<std::shared_ptr<Session>> out;
  for (auto& s : stripes_) {
    std::lock_guard lock(s.mutex);
    for (auto& [id, session] : s.sessions) out.push_back(session);
  }
  return out;
}

std::vector<std::shared_ptr<Session>> SessionTable::take_all() {
  std::vector<std::shared_ptr<Session>> out;
  for (auto& s : stripes_) {
    std::lock_guard lock(s.mutex);
    for (auto& [id, session] : s.sessions) out.push_back(std::move(session));
    s.sessions.clear();
  }
  return out;
}

std::size_t SessionTable::count_websocket() const {
  std::size_t n = 0;
  for (auto& s : stripes_) {
    std::lock_guard lock(s.mutex);
    for (const auto& [id, session] : s.sessions) n += session->on_websocket() ? 1 : 0;
  }
  return n;
}

std::size_t SessionTable::size() const {
  std::size_t n = 0;
  for (auto& s : stripes_) {
    std::lock_guard lock(s.mutex);
    n += s.sessions.size();
  }
  return n;
}

}  // namespace cz::engineio
