#pragma once
// Connections per client address whose request headers are not complete yet. A client that
// opens connections and sends nothing (or its headers a byte at a time: "slowloris") holds a
// descriptor and a parser per connection; the header timeout bounds how long, this cap how many
// per address. Thread-safe: connections of every shard share one table, touched twice per
// request (headers started, headers done), never per message.
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace cz::net {

class PendingHeaders {
 public:
  // `cap` 0: no cap (entering always succeeds and nothing is counted).
  explicit PendingHeaders(std::size_t cap) : cap_(cap) {}

  // Counts one more connection of `address` waiting for headers; false (and nothing counted)
  // when the address has `cap` already.
  bool enter(const std::string& address);
  // The headers arrived or the connection ended; once per successful enter().
  void leave(const std::string& address);

  std::size_t count(const std::string& address) const;

 private:
  const std::size_t cap_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> waiting_;
};

}  // namespace cz::net
