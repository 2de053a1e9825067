// The messenger's payload validation (messenger/validate, with util/time, util/ids and the room
// id rule of store/rules): the first argument of an event, decoded by the Socket.IO decoder as
// the server does, through every parse_* function. Properties: whatever is accepted obeys the
// documented rules (ids non-empty, bounded, UTF-8 without control characters; content that
// check_content accepts; bounded lists and limits); room ids name one pair of users; times
// that parse format back to the same time.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "fuzz_check.hpp"
#include "messenger/validate.hpp"
#include "socketio/packet.hpp"
#include "store/rules.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"
#include "util/utf8.hpp"

namespace {

using namespace cz;
using namespace cz::messenger;

bool has_control_characters(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F) return true;
  return false;
}

void check_id(const std::string& id, std::size_t max_bytes) {
  FUZZ_CHECK(!id.empty());
  // An id sent as a number keeps all its digits (up to 20, "-9223372036854775808"), on purpose
  // (unit test Validate.IdsHaveALengthLimit); the real bound, 128 bytes, is above that anyway.
  const bool digits = id.find_first_not_of("-0123456789") == std::string::npos;
  FUZZ_CHECK(id.size() <= (digits ? std::max<std::size_t>(max_bytes, 20) : max_bytes));
  FUZZ_CHECK(!has_control_characters(id));
  FUZZ_CHECK(utf8::is_valid(id));
}

// The inverse of store::room_id_of: the two ids, unescaped.
std::pair<std::string, std::string> split_room_id(const std::string& room_id) {
  const auto dot = room_id.find('.');
  FUZZ_CHECK(dot != std::string::npos && room_id.find('.', dot + 1) == std::string::npos);
  auto unescape = [](std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%') {
        FUZZ_CHECK(s.substr(i, 3) == "%25" || s.substr(i, 3) == "%2E");
        out.push_back(s[i + 2] == '5' ? '%' : '.');
        i += 2;
      } else {
        out.push_back(s[i]);
      }
    }
    return out;
  };
  return {unescape(std::string_view(room_id).substr(0, dot)),
          unescape(std::string_view(room_id).substr(dot + 1))};
}

void check_time_text(std::string_view text) {
  if (auto t = parse_iso8601(text)) {
    const std::string iso = format_iso8601(*t);
    FUZZ_CHECK(parse_iso8601(iso) == t);
    FUZZ_CHECK(parse_time(iso) == t);
  }
  (void)parse_time(text);
  if (is_valid_id(text)) FUZZ_CHECK(id_timestamp(text).has_value());
  (void)is_original_id(text);
}

void check_strings(const rapidjson::Value& v, int depth) {
  if (v.IsString()) check_time_text({v.GetString(), v.GetStringLength()});
  if (depth > 3) return;
  if (v.IsArray())
    for (const auto& item : v.GetArray()) check_strings(item, depth + 1);
  if (v.IsObject())
    for (const auto& m : v.GetObject()) check_strings(m.value, depth + 1);
}

void check_payload(const rapidjson::Value& obj, const Limits& limits) {
  if (auto r = parse_credentials(obj, limits)) {
    FUZZ_CHECK(!r->token.empty() && r->token.size() <= limits.max_token_bytes);
    check_id(r->user_id, limits.max_id_bytes);
  }
  if (auto r = parse_create_room(obj, limits)) {
    check_id(r->buyer, limits.max_id_bytes);
    check_id(r->seller, limits.max_id_bytes);
    if (!r->shop_id.empty()) check_id(r->shop_id, limits.max_id_bytes);
    if (!r->creator.empty()) check_id(r->creator, limits.max_id_bytes);
    const std::string room_id = store::room_id_of(r->buyer, r->seller);
    FUZZ_CHECK(split_room_id(room_id) == std::make_pair(r->buyer, r->seller));
    if (r->buyer.find_first_of(".%") == std::string::npos &&
        r->seller.find_first_of(".%") == std::string::npos)
      FUZZ_CHECK(room_id == r->buyer + "." + r->seller);
    if (!check_create_room(*r, r->buyer)) FUZZ_CHECK(r->buyer != r->seller);
  }
  if (auto r = parse_new_message(obj, limits)) {
    check_id(r->room_id, 2 * limits.max_id_bytes + 1);
    FUZZ_CHECK(r->room_id.find('.') != std::string::npos);
    check_id(r->from, limits.max_id_bytes);
    check_id(r->to, limits.max_id_bytes);
    FUZZ_CHECK(!check_content(r->content, limits));
    FUZZ_CHECK(!r->content.empty() && r->content.size() <= limits.max_content_bytes);
    FUZZ_CHECK(r->content.find('\0') == std::string::npos && utf8::is_valid(r->content));
    if (!r->client_message_id.empty()) check_id(r->client_message_id, limits.max_id_bytes);
  }
  if (auto r = parse_typing(obj, limits)) {
    check_id(r->from, limits.max_id_bytes);
    check_id(r->to, limits.max_id_bytes);
  }
  if (auto r = parse_seen_messages(obj, limits)) {
    if (r->message_ids) {
      FUZZ_CHECK(r->message_ids->size() <= limits.max_message_ids);
      for (const auto& id : *r->message_ids) check_id(id, limits.max_id_bytes);
    }
  }
  if (auto r = parse_user_status_request(obj, limits)) {
    FUZZ_CHECK(r->size() <= limits.max_status_users);
    for (const auto& id : *r) check_id(id, limits.max_id_bytes);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  check_time_text(raw);
  Limits limits;
  limits.max_content_bytes = 64;  // small, so that the fuzzer reaches every bound
  limits.max_message_ids = 4;
  limits.max_status_users = 4;
  limits.max_id_bytes = 16;
  limits.max_token_bytes = 32;
  limits.default_sync_limit = 20;  // the defaults (100 of at most 500) keep default <= max too
  limits.max_sync_limit = 50;

  // The event as a client sends it: 42["event", <payload>].
  std::string packet_text = "2[\"event\",";
  packet_text.append(raw).append("]");
  auto packet = socketio::decode(packet_text);
  if (!packet) return 0;
  const rapidjson::Value& args = packet->data();
  static const rapidjson::Value kAbsent;
  if (auto sync = parse_sync(args.Empty() ? kAbsent : args[0], limits)) {
    FUZZ_CHECK(sync->limit >= 1 && sync->limit <= limits.max_sync_limit);
    if (sync->since_id) FUZZ_CHECK(is_message_id(*sync->since_id));
  }
  check_strings(args, 0);
  auto obj = payload_object(args);
  if (!obj) return 0;
  check_payload(**obj, limits);
  return 0;
}
