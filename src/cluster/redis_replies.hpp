#pragma once
// What our commands read out of Redis replies. hiredis's reader turns the RESP bytes into
// redisReply trees; these functions read the shapes our commands and scripts answer and give
// nullopt for any other shape, since a Redis shared with other software (or a script of an older
// node) may answer anything, and that must never crash a node. Pure: no I/O, no state.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "messenger/presence.hpp"
#include "util/time.hpp"

struct redisReply;

namespace cz::cluster::replies {

// The bytes of a string, status or error reply; empty for anything else (and for null).
std::string_view text(const redisReply* reply);

// Why a reply is not the one expected, for a log line.
std::string error_of(const redisReply* reply);

// One reply on a PSUBSCRIBE connection: ["psubscribe", pattern, count] confirms a pattern,
// ["pmessage", pattern, channel, message] delivers a message. The views point into `reply`.
struct PubSubEvent {
  bool confirmation = false;  // psubscribe: only `pattern` is set
  std::string_view pattern;
  std::string_view channel;
  std::string_view message;
};
std::optional<PubSubEvent> pubsub_event(const redisReply* reply);

// A decimal number of milliseconds; nullopt for anything else, signs and overflow included.
std::optional<TimeMs> parse_ms(std::string_view text);

// The presence QUERY script's answer: one [live count, role, last seen] per id asked.
std::optional<std::vector<messenger::UserStatus>> statuses(const redisReply* reply,
                                                           const std::vector<std::string>& user_ids,
                                                           TimeMs now);

// The presence HEARTBEAT script's answer: 0 when this node's entries had expired, or
// {1, [user keys of stopped nodes now offline]}.
struct Heartbeat {
  bool expired = false;
  std::vector<std::string_view> lost_user_keys;  // views into `reply`
};
std::optional<Heartbeat> heartbeat(const redisReply* reply);

}  // namespace cz::cluster::replies
