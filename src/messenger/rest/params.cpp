#include "messenger/rest/params.hpp"

#include <charconv>

#include "messenger/errors.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"
#include "util/utf8.hpp"

namespace cz::messenger::rest {
namespace {

Error invalid(std::string message) {
  return make_error(code::kValidationError, std::move(message));
}
Error forbidden(std::string message) {
  return make_error(code::kForbidden, std::move(message));
}

bool has_control_characters(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F) return true;
  return false;
}

Result<std::string> checked_id(std::string_view text, std::string_view field, std::size_t max) {
  if (text.empty()) return invalid(std::string(field) + " must not be empty");
  if (text.size() > max) return invalid(std::string(field) + " is too long");
  if (has_control_characters(text))
    return invalid(std::string(field) + " contains control characters");
  // As the socket events' ids (messenger/validate): an id is UTF-8 text, in the store and in
  // every answer that names it.
  if (!utf8::is_valid(text)) return invalid(std::string(field) + " is not valid UTF-8");
  return std::string(text);
}

Result<store::Role> role_from(std::string_view text) {
  auto role = parse_role(text);
  if (!role) return invalid("role must be BUYER or SELLER");
  return *role;
}

const rapidjson::Value* member(const rapidjson::Value& obj, std::string_view name) {
  const auto it = obj.FindMember(rapidjson::Value(rapidjson::StringRef(name.data(), name.size())));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

// A positive decimal integer, digits only ("15", not "+15", "1e2" or "15.0").
std::optional<std::uint64_t> positive_integer(std::string_view text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value == 0) return std::nullopt;
  return value;
}

}  // namespace

Result<IdentityParams> identity_from_query(const query::Params& query, const Limits& limits) {
  IdentityParams params;
  if (auto user_id = query.get("user_id")) {
    auto id = checked_id(*user_id, "user_id", limits.max_id_bytes);
    if (!id) return id.error();
    params.user_id = std::move(*id);
  }
  if (auto role = query.get("role")) params.role = std::string(*role);
  return params;
}

Result<IdentityParams> identity_from_body(const rapidjson::Value& body, const Limits& limits) {
  IdentityParams params;
  auto user_id = optional_id(body, "user_id", limits);
  if (!user_id) return user_id.error();
  params.user_id = std::move(*user_id);
  if (const auto* role = member(body, "role"); role && !role->IsNull()) {
    if (!role->IsString()) return invalid("role must be BUYER or SELLER");
    params.role = std::string(role->GetString(), role->GetStringLength());
  }
  return params;
}

Result<Acting> resolve_identity(const Caller& caller, const IdentityParams& params) {
  if (params.user_id && *params.user_id != caller.user_id)
    return forbidden("user_id must be the authenticated user");
  Acting acting{caller.user_id, caller.role};
  if (params.role) {
    auto role = role_from(*params.role);
    if (!role) return role.error();
    if (caller.role && *caller.role != *role) return forbidden("role does not match the token");
    acting.role = *role;
  }
  return acting;
}

Result<store::Role> side_in_room(const store::Room& room, const Acting& acting) {
  const auto side = room.side_of(acting.user_id);
  if (!side) return forbidden("you are not a participant of this room");
  if (acting.role && *acting.role != *side) return forbidden("this is not your side of the room");
  return *side;
}

Result<std::string> room_id_param(std::string_view raw, const Limits& limits) {
  auto text = query::percent_decode(raw, false);
  if (!text) return invalid("room_id has a malformed %-escape");
  auto id = checked_id(*text, "room_id", 2 * limits.max_id_bytes + 1);
  if (!id) return id;
  if (id->find('.') == std::string::npos) return invalid("room_id is not a room id");
  return id;
}

Result<std::string> message_id_param(std::string_view raw, const Limits& limits) {
  auto text = query::percent_decode(raw, false);
  if (!text) return invalid("id has a malformed %-escape");
  return checked_id(*text, "id", limits.max_id_bytes);
}

Result<store::RoomQuery> parse_list_rooms(const query::Params& query, const Acting& acting,
                                          std::size_t max_name_bytes) {
  if (!acting.role) return invalid("role is required (BUYER or SELLER)");
  store::RoomQuery q;
  q.user_id = acting.user_id;
  q.role = *acting.role;
  if (auto name = query.get("name")) {
    if (name->size() > max_name_bytes) return invalid("name is too long");
    if (has_control_characters(*name)) return invalid("name contains control characters");
    // A filter of invalid UTF-8 matches no name, and PostgreSQL refuses it as a query error.
    if (!utf8::is_valid(*name)) return invalid("name is not valid UTF-8");
    if (!name->empty()) q.name = std::string(*name);
  }
  if (auto pinned = query.get("pinned")) {
    if (*pinned == "1" || *pinned == "true")
      q.pinned = true;
    else if (*pinned == "0" || *pinned == "false")
      q.pinned = false;
    else
      return invalid("pinned must be 1 or 0");
  }
  return q;
}

Result<MessagePage> parse_list_messages(const query::Params& query, const Limits& limits,
                                        const PageLimits& pages) {
  MessagePage page;
  auto room_id = query.get("room_id");
  if (!room_id) return invalid("room_id is required");
  auto id = checked_id(*room_id, "room_id", 2 * limits.max_id_bytes + 1);
  if (!id) return id.error();
  if (id->find('.') == std::string::npos) return invalid("room_id is not a room id");
  page.query.room_id = std::move(*id);

  page.query.limit = pages.default_limit;
  if (auto limit = query.get("limit")) {
    const auto n = positive_integer(*limit);
    if (!n) return invalid("limit must be a positive integer");
    page.query.limit = *n > pages.max_limit ? pages.max_limit : static_cast<std::size_t>(*n);
  }
  if (auto from = query.get("from")) {
    const auto t = parse_time(*from);
    if (!t) return invalid("from must be a time (ISO-8601 or epoch milliseconds)");
    page.from = *t;
    page.query.before = *t;
  }
  if (auto order = query.get("created_at")) {
    if (*order == "-1")
      page.query.order = store::Order::NewestFirst;
    else if (*order == "1")
      page.query.order = store::Order::OldestFirst;
    else
      return invalid("created_at must be -1 (newest first) or 1 (oldest first)");
  }
  if (auto cursor = query.get("cursor")) {
    // Ours, or the original's (kept by `cz-messenger import`).
    if (!is_message_id(*cursor)) return invalid("cursor must be a message id");
    page.query.cursor_id = std::string(*cursor);
  }
  return page;
}

Result<store::CreateRoom> parse_create_room_body(const rapidjson::Value& body, const Acting& acting,
                                                 const Limits& limits,
                                                 const DetailLimits& details) {
  auto req = parse_create_room(body, limits);
  if (!req) return req.error();
  if (auto denied = check_create_room(*req, acting.user_id)) return *denied;
  const store::Role side = acting.user_id == req->buyer ? store::Role::Buyer : store::Role::Seller;
  if (acting.role && *acting.role != side)
    return forbidden("your role does not match your side of the room");
  if (req->creator.empty()) req->creator = acting.user_id;
  auto shop = shop_json(member(body, "shop"), details);
  if (!shop) return shop.error();
  auto buyer_info = buyer_info_json(member(body, "buyer_info"), details);
  if (!buyer_info) return buyer_info.error();
  req->shop_json = std::move(*shop);
  req->buyer_info_json = std::move(*buyer_info);
  return req;
}

Result<store::NewMessage> parse_post_message(const rapidjson::Value& body, const Acting& acting,
                                             const Limits& limits) {
  auto msg = parse_new_message(body, limits);
  if (!msg) return msg.error();
  if (msg->from != acting.user_id) return forbidden("from must be the authenticated user");
  return msg;
}

Result<std::string> parse_edit_message(const rapidjson::Value& body, const Limits& limits) {
  const auto* content = member(body, "content");
  if (!content || content->IsNull()) return invalid("content is required");
  if (!content->IsString()) return invalid("content must be a string");
  const std::string_view text(content->GetString(), content->GetStringLength());
  if (auto error = check_content(text, limits)) return *error;
  return std::string(content->GetString(), content->GetStringLength());
}

}  // namespace cz::messenger::rest
