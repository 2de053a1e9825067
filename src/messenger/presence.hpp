#pragma once
// Who is online. The messenger tells Presence when a user's socket comes and goes and asks it
// for users' status; it broadcasts `user_status` when a user's first socket arrives or last
// socket leaves.
//
// The interface is asynchronous so that a cluster implementation (Redis, in cluster/) can count
// sockets across nodes: callbacks may run on any thread, before or after the call returns.
// Presence is touched on connect/disconnect and by get_user_status, never on the message path.
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/model.hpp"
#include "util/time.hpp"

namespace cz::messenger {

struct UserStatus {
  std::string user_id;
  bool online = false;
  std::optional<store::Role> role;  // the role of the user's latest connection; unknown: none
  std::optional<TimeMs> last_seen;  // now when online; the last disconnect otherwise
};

class Presence {
 public:
  virtual ~Presence() = default;
  // A socket of `user_id` connected; `first`: it is the user's only socket now.
  virtual void connected(const std::string& user_id, store::Role role,
                         std::function<void(bool first)> done) = 0;
  // A socket of `user_id` went away at `now`; `last`: the user has no socket left.
  virtual void disconnected(const std::string& user_id, store::Role role, TimeMs now,
                            std::function<void(bool last)> done) = 0;
  // The status of each of `user_ids`, in the same order.
  virtual void query(std::vector<std::string> user_ids, TimeMs now,
                     std::function<void(std::vector<UserStatus>)> done) = 0;
  // Users whose online status changed without a connect or disconnect seen here, for the
  // messenger to announce: in a cluster, the users a dead node left offline, or this node's own
  // users after its registration had expired (others announced them offline meanwhile).
  // `listener` may be called on any thread. A presence of one process never calls it.
  virtual void on_status_changed(std::function<void(std::vector<std::string> user_ids)> listener) {
    (void)listener;
  }
};

// Presence of this process: socket counts per user across all shards. A mutex-guarded map is
// enough because it is touched only on connect/disconnect and status queries. Callbacks run
// synchronously, on the caller's thread.
//
// Memory is bounded by the users online plus `max_offline_users`: an offline user's entry (its
// role and last_seen) is kept for get_user_status, but only for the most recently disconnected
// `max_offline_users`; older ones are forgotten (they then read as unknown: offline, no
// last_seen) — least recently seen first.
class LocalPresence final : public Presence {
 public:
  static constexpr std::size_t kDefaultMaxOfflineUsers = 100000;

  explicit LocalPresence(std::size_t max_offline_users = kDefaultMaxOfflineUsers)
      : max_offline_users_(max_offline_users) {}

  void connected(const std::string& user_id, store::Role role,
                 std::function<void(bool first)> done) override;
  void disconnected(const std::string& user_id, store::Role role, TimeMs now,
                    std::function<void(bool last)> done) override;
  void query(std::vector<std::string> user_ids, TimeMs now,
             std::function<void(std::vector<UserStatus>)> done) override;

  // Synchronous forms of the above (what the callbacks receive), for the cluster layer, which
  // keeps a LocalPresence as this node's own knowledge.
  bool connect(const std::string& user_id, store::Role role);
  bool disconnect(const std::string& user_id, store::Role role, TimeMs now);
  std::vector<UserStatus> statuses(std::vector<std::string> user_ids, TimeMs now);

  struct OnlineUser {
    std::string user_id;
    std::size_t sockets = 0;
    store::Role role = store::Role::Buyer;
  };
  // Every user with at least one socket here (a cluster node re-registers them after its
  // Redis comes back).
  std::vector<OnlineUser> online_users();

  // Entries held: online users plus remembered offline ones (tests, metrics).
  std::size_t size();

 private:
  struct Entry {
    std::size_t sockets = 0;
    store::Role role = store::Role::Buyer;
    std::optional<TimeMs> last_seen;
    // Position in offline_ while the user is offline.
    std::list<std::string>::iterator offline_pos;
  };
  void went_offline(std::unordered_map<std::string, Entry>::iterator it);

  const std::size_t max_offline_users_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> users_;
  // Offline users, most recently disconnected first; the tail is dropped beyond the cap.
  std::list<std::string> offline_;
};

}  // namespace cz::messenger
