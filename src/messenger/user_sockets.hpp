#pragma once
// Sockets per user on this node, so that one account (or one stolen token) cannot open
// connections without bound. Thread-safe: sockets of every shard share it; touched at connect
// and disconnect only.
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace cz::messenger {

class UserSockets {
 public:
  // Counts one more socket of `user_id` unless it has `cap` already (then false, nothing
  // counted). cap 0: no cap, nothing counted.
  bool try_add(const std::string& user_id, std::size_t cap);
  // Once per successful try_add() with a cap.
  void remove(const std::string& user_id);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> count_;
};

}  // namespace cz::messenger
