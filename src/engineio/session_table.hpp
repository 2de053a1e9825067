#pragma once
// sid -> session, shared by all I/O threads: a polling request may arrive on any shard and must
// find its session, which lives on one shard. Lock-striped so that lookups from different
// threads rarely contend; the message path never touches it.
#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace cz::engineio {

class Session;

class SessionTable {
 public:
  void insert(const std::string& id, std::shared_ptr<Session> session);
  std::shared_ptr<Session> find(const std::string& id) const;
  // Removes `id` only if it still maps to `session`.
  void erase(const std::string& id, const Session* session);
  std::vector<std::shared_ptr<Session>> snapshot() const;
  // Empties the table, returning what it held.
  std::vector<std::shared_ptr<Session>> take_all();
  std::size_t size() const;
  // Sessions on the websocket transport now (the others poll).
  std::size_t count_websocket() const;

 private:
  static constexpr std::size_t kStripes = 16;
  struct Stripe {
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<Session>> sessions;
  };
  Stripe& stripe(const std::string& id) const {
    return stripes_[std::hash<std::string>{}(id) % kStripes];
  }
  mutable std::array<Stripe, kStripes> stripes_;
};

}  // namespace cz::engineio
