#include "cluster/redis_replies.hpp"

#include <hiredis/hiredis.h>

#include <limits>

namespace cz::cluster::replies {
namespace {

std::optional<store::Role> parse_role(std::string_view text) {
  if (text == "BUYER") return store::Role::Buyer;
  if (text == "SELLER") return store::Role::Seller;
  return std::nullopt;
}

bool is_array(const redisReply* reply) {
  return reply && reply->type == REDIS_REPLY_ARRAY;
}

}  // namespace

std::string_view text(const redisReply* reply) {
  return reply && reply->str ? std::string_view(reply->str, reply->len) : std::string_view();
}

std::string error_of(const redisReply* reply) {
  if (!reply) return "connection lost";
  if (reply->type == REDIS_REPLY_ERROR) return std::string(text(reply));
  return "unexpected reply";
}

std::optional<PubSubEvent> pubsub_event(const redisReply* reply) {
  if (!is_array(reply) || reply->elements < 3) return std::nullopt;
  auto item = [&](std::size_t i) { return text(reply->element[i]); };
  if (item(0) == "psubscribe") return PubSubEvent{true, item(1), {}, {}};
  if (reply->elements != 4 || item(0) != "pmessage") return std::nullopt;
  return PubSubEvent{false, item(1), item(2), item(3)};
}

std::optional<TimeMs> parse_ms(std::string_view text) {
  if (text.empty()) return std::nullopt;
  TimeMs v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    if (v > (std::numeric_limits<TimeMs>::max() - digit) / 10) return std::nullopt;
    v = v * 10 + digit;
  }
  return v;
}

std::optional<std::vector<messenger::UserStatus>> statuses(const redisReply* reply,
                                                           const std::vector<std::string>& user_ids,
                                                           TimeMs now) {
  if (!is_array(reply) || reply->elements != user_ids.size()) return std::nullopt;
  std::vector<messenger::UserStatus> out;
  out.reserve(user_ids.size());
  for (std::size_t i = 0; i < reply->elements; ++i) {
    const redisReply* e = reply->element[i];
    if (!is_array(e) || e->elements != 3 || e->element[0]->type != REDIS_REPLY_INTEGER)
      return std::nullopt;
    messenger::UserStatus s;
    s.user_id = user_ids[i];
    s.online = e->element[0]->integer > 0;
    s.role = parse_role(text(e->element[1]));
    s.last_seen = s.online ? std::optional<TimeMs>(now) : parse_ms(text(e->element[2]));
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<Heartbeat> heartbeat(const redisReply* reply) {
  if (reply && reply->type == REDIS_REPLY_INTEGER && reply->integer == 0)
    return Heartbeat{true, {}};
  if (!is_array(reply) || reply->elements != 2 || !is_array(reply->element[1])) return std::nullopt;
  const redisReply* keys = reply->element[1];
  Heartbeat beat;
  beat.lost_user_keys.reserve(keys->elements);
  for (std::size_t i = 0; i < keys->elements; ++i)
    beat.lost_user_keys.push_back(text(keys->element[i]));
  return beat;
}

}  // namespace cz::cluster::replies
