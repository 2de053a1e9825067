#include "import/mapping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "store/errors.hpp"
#include "util/ids.hpp"
#include "util/utf8.hpp"

namespace cz::import {
namespace {

Error invalid(std::string reason) {
  return store::make_error(store::kValidationError, std::move(reason));
}

// Reads an optional field with `read` (nullopt when absent); a present field of the wrong shape
// sets `error` naming the field.
template <typename Read>
auto optional_field(const Json& doc, const char* name, Read read, std::optional<Error>& error)
    -> decltype(read(doc)) {
  const Json* v = field(doc, name);
  if (!v) return std::nullopt;
  auto value = read(*v);
  if (!value && !error) error = invalid(fmt::format("field {} has an unexpected value", name));
  return value;
}

// The first of two field names that is present (the older variant's name second).
const char* present(const Json& doc, const char* name, const char* old_name) {
  return field(doc, name) || !field(doc, old_name) ? name : old_name;
}

std::optional<store::LastMessage> last_message(const Json& doc, const char* name) {
  const Json* copy = field(doc, name);
  if (!copy || !copy->IsObject()) return std::nullopt;
  const Json* id = field(*copy, "_id");
  auto id_text = id ? ejson_string(*id) : std::nullopt;
  if (!id_text || id_text->empty()) return std::nullopt;  // nothing to refer to
  store::LastMessage last;
  last.message.id = std::move(*id_text);
  const Json* seen = field(*copy, field(*copy, "is_seen") ? "is_seen" : "is_read");
  last.is_seen = seen && seen->IsBool() && seen->GetBool();
  return last;
}

std::string shop_id_of(const Json& doc) {
  if (const Json* id = field(doc, "shop_id")) return ejson_string(*id).value_or("");
  const Json* shop = field(doc, "shop");
  if (!shop || !shop->IsObject()) return "";
  const Json* id = field(*shop, "_id");
  if (!id) id = field(*shop, "id");
  return id ? ejson_string(*id).value_or("") : "";
}

std::string json_or_null(const Json* v) {
  return v ? to_plain_json(*v) : "null";
}

std::optional<store::MessageType> message_type(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (name == "TEXT") return store::MessageType::Text;
  if (name == "IMAGE") return store::MessageType::Image;
  if (name == "EMOJI") return store::MessageType::Emoji;
  return std::nullopt;
}

Result<std::string> required_string(const Json& doc, const char* name) {
  const Json* v = field(doc, name);
  if (!v) return invalid(fmt::format("field {} is missing", name));
  auto s = ejson_string(*v);
  if (!s) return invalid(fmt::format("field {} is not a string", name));
  if (s->empty()) return invalid(fmt::format("field {} is empty", name));
  // JSON's \u escapes can spell a lone surrogate, which RapidJSON writes out as bytes that are
  // not UTF-8; nothing stored may hold them (found by the import readers' fuzzer).
  if (!utf8::is_valid(*s)) return invalid(fmt::format("field {} is not valid UTF-8", name));
  return std::move(*s);
}

int base36_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  return -1;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<TimeMs> time_in_original_id(const std::string& id) {
  if (id.size() == 24 &&
      std::all_of(id.begin(), id.end(), [](char c) { return hex_digit(c) >= 0; })) {
    std::int64_t seconds = 0;
    for (int i = 0; i < 8; ++i) seconds = seconds * 16 + hex_digit(id[i]);
    return seconds * 1000;
  }
  // cuid v1: 'c', 8 base-36 digits of the time, then counter, fingerprint and random blocks.
  if (id.size() >= 20 && id[0] == 'c') {
    std::int64_t ms = 0;
    for (int i = 1; i <= 8; ++i) {
      const int d = base36_digit(id[i]);
      if (d < 0) return std::nullopt;
      ms = ms * 36 + d;
    }
    return ms;
  }
  return std::nullopt;
}

Result<store::Room> map_room(const Json& doc) {
  if (!doc.IsObject()) return invalid("not a document (an object was expected)");
  store::Room r;
  auto id = required_string(doc, "_id");
  if (!id) return id.error();
  auto buyer = required_string(doc, "buyer");
  if (!buyer) return buyer.error();
  auto seller = required_string(doc, "seller");
  if (!seller) return seller.error();
  r.id = std::move(*id);
  r.buyer = std::move(*buyer);
  r.seller = std::move(*seller);
  if (r.buyer == r.seller) return invalid("buyer and seller are the same user");
  if (r.id != r.buyer + "." + r.seller)
    return invalid(fmt::format("_id {} is not <buyer>.<seller> ({}.{})", r.id, r.buyer, r.seller));

  std::optional<Error> error;
  r.type = optional_field(doc, "type", ejson_string, error).value_or("BS");
  r.creator = optional_field(doc, "creator", ejson_string, error).value_or(r.buyer);
  r.shop_id = shop_id_of(doc);
  r.shop_json = json_or_null(field(doc, "shop"));
  r.buyer_info_json = json_or_null(field(doc, "buyer_info"));
  r.buyer_last_message = last_message(doc, "buyer_last_message");
  r.seller_last_message = last_message(doc, "seller_last_message");
  r.buyer_unseen_messages = std::max<std::int64_t>(
      0, optional_field(doc, "buyer_unseen_messages", ejson_integer, error).value_or(0));
  r.seller_unseen_messages = std::max<std::int64_t>(
      0, optional_field(doc, "seller_unseen_messages", ejson_integer, error).value_or(0));
  r.pinned_by_buyer = optional_field(doc, "pinned_by_buyer", ejson_time, error);
  r.pinned_by_seller = optional_field(doc, "pinned_by_seller", ejson_time, error);
  r.deleted_by_buyer = optional_field(doc, "deleted_by_buyer", ejson_bool, error).value_or(false);
  r.deleted_by_seller = optional_field(doc, "deleted_by_seller", ejson_bool, error).value_or(false);
  r.buyer_deleted_at = optional_field(doc, "buyer_deleted_at", ejson_time, error);
  r.seller_deleted_at = optional_field(doc, "seller_deleted_at", ejson_time, error);
  r.enable = optional_field(doc, "enable", ejson_bool, error).value_or(true);
  auto created = optional_field(doc, present(doc, "created_at", "createdAt"), ejson_time, error);
  auto updated = optional_field(doc, present(doc, "updated_at", "updatedAt"), ejson_time, error);
  if (error) return std::move(*error);
  if (!created && !updated) return invalid("field created_at is missing (and updated_at too)");
  r.created_at = created ? *created : *updated;
  r.updated_at = updated ? *updated : *created;
  return r;
}

Result<store::Message> map_message(const Json& doc) {
  if (!doc.IsObject()) return invalid("not a document (an object was expected)");
  store::Message m;
  auto id = required_string(doc, "_id");
  if (!id) return id.error();
  auto room = required_string(doc, "room_id");
  if (!room) return room.error();
  auto from = required_string(doc, present(doc, "from", "sender"));
  if (!from) return from.error();
  auto to = required_string(doc, present(doc, "to", "receiver"));
  if (!to) return to.error();
  if (!is_message_id(*id))
    return invalid(fmt::format("_id {} is not a message id (a cuid or an ObjectId)", *id));
  m.id = std::move(*id);
  m.room_id = std::move(*room);
  m.from = std::move(*from);
  m.to = std::move(*to);

  std::optional<Error> error;
  if (auto type = optional_field(doc, "type", ejson_string, error)) {
    auto parsed = message_type(*type);
    if (!parsed) return invalid(fmt::format("type {} is not TEXT, IMAGE or EMOJI", *type));
    m.type = *parsed;
  }
  const Json* content = field(doc, "content");
  if (!content) return invalid("field content is missing");
  if (!content->IsString()) return invalid("field content is not a string");
  m.content.assign(content->GetString(), content->GetStringLength());
  if (m.content.find('\0') != std::string::npos)
    return invalid("field content contains a NUL character");
  if (!utf8::is_valid(m.content)) return invalid("field content is not valid UTF-8");
  m.client_message_id = optional_field(doc, "client_message_id", ejson_string, error).value_or("");
  if (!utf8::is_valid(m.client_message_id))
    return invalid("field client_message_id is not valid UTF-8");
  m.is_seen =
      optional_field(doc, present(doc, "is_seen", "is_read"), ejson_bool, error).value_or(false);
  auto created = optional_field(doc, present(doc, "created_at", "createdAt"), ejson_time, error);
  auto updated = optional_field(doc, present(doc, "updated_at", "updatedAt"), ejson_time, error);
  if (error) return std::move(*error);
  if (!created) created = time_in_original_id(m.id);
  if (!created) created = id_timestamp(m.id);
  if (!created) return invalid("field created_at is missing (and the id carries no time)");
  m.created_at = *created;
  m.updated_at = updated ? *updated : *created;
  return m;
}

}  // namespace cz::import
