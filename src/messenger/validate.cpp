#include "messenger/validate.hpp"

#include <cstdint>

#include "messenger/errors.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"
#include "util/utf8.hpp"

namespace cz::messenger {
namespace {

Error invalid(std::string_view field, std::string_view what) {
  std::string message;
  message.reserve(field.size() + what.size() + 1);
  message.append(field).append(" ").append(what);
  return make_error(code::kValidationError, std::move(message));
}

const rapidjson::Value* find(const rapidjson::Value& obj, std::string_view field) {
  const auto it =
      obj.FindMember(rapidjson::Value(rapidjson::StringRef(field.data(), field.size())));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

std::string_view text_of(const rapidjson::Value& v) {
  return std::string_view(v.GetString(), v.GetStringLength());
}

bool has_control_characters(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F) return true;
  return false;
}

// The checks shared by every id, whatever the field is called.
Result<std::string> id_from(const rapidjson::Value& v, std::string_view field,
                            std::size_t max_bytes) {
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (!v.IsString()) return invalid(field, "must be a string");
  const auto s = text_of(v);
  if (s.empty()) return invalid(field, "must not be empty");
  if (s.size() > max_bytes) return invalid(field, "is too long");
  if (has_control_characters(s)) return invalid(field, "contains control characters");
  if (!utf8::is_valid(s)) return invalid(field, "is not valid UTF-8");
  return std::string(s);
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto up = [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; };
    if (up(a[i]) != up(b[i])) return false;
  }
  return true;
}

Error unauthorized(std::string message) {
  return make_error(code::kUnauthorized, std::move(message));
}

}  // namespace

Result<const rapidjson::Value*> payload_object(const rapidjson::Value& args) {
  if (!args.IsArray() || args.Empty() || !args[0].IsObject())
    return make_error(code::kValidationError, "payload must be a JSON object");
  return &args[0];
}

Result<std::string> required_id(const rapidjson::Value& obj, std::string_view field,
                                const Limits& limits) {
  const auto* v = find(obj, field);
  if (!v || v->IsNull()) return invalid(field, "is required");
  return id_from(*v, field, limits.max_id_bytes);
}

Result<std::optional<std::string>> optional_id(const rapidjson::Value& obj, std::string_view field,
                                               const Limits& limits) {
  const auto* v = find(obj, field);
  if (!v || v->IsNull()) return std::optional<std::string>();
  auto id = id_from(*v, field, limits.max_id_bytes);
  if (!id) return id.error();
  return std::optional<std::string>(std::move(*id));
}

Result<std::string> required_string(const rapidjson::Value& obj, std::string_view field,
                                    std::size_t max_bytes) {
  const auto* v = find(obj, field);
  if (!v || v->IsNull()) return invalid(field, "is required");
  if (!v->IsString()) return invalid(field, "must be a string");
  if (v->GetStringLength() > max_bytes) return invalid(field, "is too long");
  return std::string(text_of(*v));
}

Result<std::string> required_room_id(const rapidjson::Value& obj, const Limits& limits) {
  const auto* v = find(obj, "room_id");
  if (!v || v->IsNull()) return invalid("room_id", "is required");
  auto id = id_from(*v, "room_id", 2 * limits.max_id_bytes + 1);
  if (!id) return id;
  if (id->find('.') == std::string::npos) return invalid("room_id", "is not a room id");
  return id;
}

Result<store::Role> parse_role(std::string_view text) {
  if (iequals(text, "BUYER")) return store::Role::Buyer;
  if (iequals(text, "SELLER")) return store::Role::Seller;
  return invalid("user_role", "must be BUYER or SELLER");
}

Result<store::MessageType> parse_message_type(std::string_view text) {
  if (text == "TEXT") return store::MessageType::Text;
  if (text == "IMAGE") return store::MessageType::Image;
  if (text == "EMOJI") return store::MessageType::Emoji;
  return make_error(code::kUnknownMessageType, "type must be TEXT, IMAGE or EMOJI");
}

Result<Credentials> check_credentials(std::optional<std::string_view> token,
                                      std::optional<std::string_view> user_id,
                                      std::optional<std::string_view> user_role,
                                      const Limits& limits) {
  if (!token || token->empty()) return unauthorized("token missing");
  if (token->size() > limits.max_token_bytes) return unauthorized("token too long");
  if (!user_id || user_id->empty()) return unauthorized("user_id missing");
  if (user_id->size() > limits.max_id_bytes || has_control_characters(*user_id) ||
      !utf8::is_valid(*user_id))
    return unauthorized("user_id invalid");
  if (!user_role || user_role->empty()) return unauthorized("user_role missing");
  auto role = parse_role(*user_role);
  if (!role) return unauthorized("user_role must be BUYER or SELLER");
  return Credentials{std::string(*token), std::string(*user_id), *role};
}

Result<Credentials> parse_credentials(const rapidjson::Value& obj, const Limits& limits) {
  if (!obj.IsObject()) return unauthorized("credentials must be an object");
  auto text = [&](std::string_view field) -> std::optional<std::string> {
    const auto* v = find(obj, field);
    if (!v) return std::nullopt;
    if (v->IsString()) return std::string(text_of(*v));
    if (v->IsInt64()) return std::to_string(v->GetInt64());
    return std::string();  // present but unusable: reported as missing/invalid below
  };
  const auto token = text("token");
  const auto user_id = text("user_id");
  const auto user_role = text("user_role");
  auto view = [](const std::optional<std::string>& s) {
    return s ? std::optional<std::string_view>(*s) : std::nullopt;
  };
  return check_credentials(view(token), view(user_id), view(user_role), limits);
}

Result<store::CreateRoom> parse_create_room(const rapidjson::Value& obj, const Limits& limits) {
  store::CreateRoom req;
  if (const auto* type = find(obj, "type"); type && !type->IsNull()) {
    if (!type->IsString() || text_of(*type) != "BS") return invalid("type", "must be \"BS\"");
  }
  auto buyer = required_id(obj, "buyer", limits);
  if (!buyer) return buyer.error();
  auto seller = required_id(obj, "seller", limits);
  if (!seller) return seller.error();
  auto shop_id = optional_id(obj, "shop_id", limits);
  if (!shop_id) return shop_id.error();
  auto creator = optional_id(obj, "creator", limits);
  if (!creator) return creator.error();
  req.buyer = std::move(*buyer);
  req.seller = std::move(*seller);
  req.shop_id = shop_id->value_or("");
  req.creator = creator->value_or("");
  return req;
}

std::optional<Error> check_content(std::string_view content, const Limits& limits) {
  if (content.empty()) return invalid("content", "must not be empty");
  if (content.size() > limits.max_content_bytes)
    return make_error(
        code::kContentTooLarge,
        "content is larger than " + std::to_string(limits.max_content_bytes) + " bytes");
  // Both stores must keep exactly what they were given: PostgreSQL refuses NUL and invalid
  // UTF-8 where SQLite would store them, so neither is accepted. Invalid UTF-8 would also break
  // every receiver's WebSocket (a text frame must be valid UTF-8).
  if (content.find('\0') != std::string_view::npos)
    return invalid("content", "must not contain NUL characters");
  if (!utf8::is_valid(content)) return invalid("content", "is not valid UTF-8");
  return std::nullopt;
}

Result<store::NewMessage> parse_new_message(const rapidjson::Value& obj, const Limits& limits) {
  store::NewMessage msg;
  auto room_id = required_room_id(obj, limits);
  if (!room_id) return room_id.error();
  auto from = required_id(obj, "from", limits);
  if (!from) return from.error();
  auto to = required_id(obj, "to", limits);
  if (!to) return to.error();

  const auto* type = find(obj, "type");
  if (!type || type->IsNull()) return invalid("type", "is required");
  if (!type->IsString()) return invalid("type", "must be a string");
  auto parsed_type = parse_message_type(text_of(*type));
  if (!parsed_type) return parsed_type.error();

  const auto* content = find(obj, "content");
  if (!content || content->IsNull()) return invalid("content", "is required");
  if (!content->IsString()) return invalid("content", "must be a string");
  if (auto error = check_content(text_of(*content), limits)) return *error;

  auto client_id = optional_id(obj, "client_message_id", limits);
  if (!client_id) return client_id.error();

  msg.room_id = std::move(*room_id);
  msg.from = std::move(*from);
  msg.to = std::move(*to);
  msg.type = *parsed_type;
  msg.content.assign(content->GetString(), content->GetStringLength());
  msg.client_message_id = client_id->value_or("");
  return msg;
}

Result<Typing> parse_typing(const rapidjson::Value& obj, const Limits& limits) {
  auto room_id = required_room_id(obj, limits);
  if (!room_id) return room_id.error();
  auto from = required_id(obj, "from", limits);
  if (!from) return from.error();
  auto to = required_id(obj, "to", limits);
  if (!to) return to.error();
  return Typing{std::move(*room_id), std::move(*from), std::move(*to)};
}

Result<SeenMessages> parse_seen_messages(const rapidjson::Value& obj, const Limits& limits) {
  auto base = parse_typing(obj, limits);
  if (!base) return base.error();
  SeenMessages req{std::move(base->room_id), std::move(base->from), std::move(base->to), {}};
  const auto* ids = find(obj, "message_ids");
  if (!ids || ids->IsNull()) return req;
  if (!ids->IsArray()) return invalid("message_ids", "must be an array of message ids");
  if (ids->Size() > limits.max_message_ids)
    return make_error(code::kTooManyIds, "message_ids has more than " +
                                             std::to_string(limits.max_message_ids) + " ids");
  std::vector<std::string> list;
  list.reserve(ids->Size());
  for (const auto& id : ids->GetArray()) {
    auto one = id_from(id, "message_ids[]", limits.max_id_bytes);
    if (!one) return one.error();
    list.push_back(std::move(*one));
  }
  req.message_ids = std::move(list);
  return req;
}

Result<store::SyncQuery> parse_sync(const rapidjson::Value& payload, const Limits& limits) {
  store::SyncQuery query;
  query.limit = limits.default_sync_limit;
  if (payload.IsNull()) return query;
  if (!payload.IsObject())
    return make_error(code::kValidationError, "payload must be a JSON object");

  if (const auto* since = find(payload, "since"); since && !since->IsNull()) {
    if (since->IsString()) {
      const auto text = text_of(*since);
      if (is_message_id(text))  // ours, or the original's (kept by `cz-messenger import`)
        query.since_id = std::string(text);
      else if (auto t = parse_time(text))
        query.since_time = *t;
      else
        return invalid("since", "must be a message id or a time");
    } else if (since->IsInt64()) {
      query.since_time = since->GetInt64();
    } else {
      return invalid("since", "must be a message id or a time");
    }
  }
  if (const auto* limit = find(payload, "limit"); limit && !limit->IsNull()) {
    if (!limit->IsInt64() || limit->GetInt64() < 1)
      return invalid("limit", "must be a positive integer");
    const auto wanted = static_cast<std::uint64_t>(limit->GetInt64());
    query.limit =
        wanted > limits.max_sync_limit ? limits.max_sync_limit : static_cast<std::size_t>(wanted);
  }
  return query;
}

Result<std::vector<std::string>> parse_user_status_request(const rapidjson::Value& obj,
                                                           const Limits& limits) {
  const auto* ids = find(obj, "user_ids");
  if (!ids || ids->IsNull()) return invalid("user_ids", "is required");
  if (!ids->IsArray()) return invalid("user_ids", "must be an array of user ids");
  if (ids->Size() > limits.max_status_users)
    return make_error(code::kTooManyIds,
                      "user_ids has more than " + std::to_string(limits.max_status_users) + " ids");
  std::vector<std::string> out;
  out.reserve(ids->Size());
  for (const auto& id : ids->GetArray()) {
    auto one = id_from(id, "user_ids[]", limits.max_id_bytes);
    if (!one) return one.error();
    out.push_back(std::move(*one));
  }
  return out;
}

std::optional<Error> check_conversation(const Participants& room, std::string_view me,
                                        std::string_view from, std::string_view to) {
  if (from != me) return make_error(code::kForbidden, "from must be the authenticated user");
  std::string_view other;
  if (me == room.buyer)
    other = room.seller;
  else if (me == room.seller)
    other = room.buyer;
  else
    return make_error(code::kForbidden, "you are not a participant of this room");
  if (to != other)
    return make_error(code::kForbidden, "to must be the other participant of this room");
  return std::nullopt;
}

std::optional<Error> check_create_room(const store::CreateRoom& req, std::string_view me) {
  if (req.buyer == req.seller)
    return make_error(code::kValidationError, "Buyer is the same to seller");
  if (me != req.buyer && me != req.seller)
    return make_error(code::kForbidden, "you must be the buyer or the seller of the room");
  if (!req.creator.empty() && req.creator != me)
    return make_error(code::kForbidden, "creator must be the authenticated user");
  return std::nullopt;
}

}  // namespace cz::messenger
