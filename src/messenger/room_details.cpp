#include "messenger/room_details.hpp"

#include <array>
#include <string_view>

#include "messenger/errors.hpp"
#include "messenger/json_writer.hpp"

namespace cz::messenger {
namespace {

Error invalid(std::string message) {
  return make_error(code::kValidationError, std::move(message));
}

bool has_control_characters(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F) return true;
  return false;
}

// Whether `v` nests deeper than `max_depth`. Stops descending at the limit, so that the check
// itself stays shallow whatever the input.
bool too_deep(const rapidjson::Value& v, std::size_t max_depth) {
  if (!v.IsObject() && !v.IsArray()) return false;
  if (max_depth == 0) return true;
  if (v.IsObject()) {
    for (const auto& m : v.GetObject())
      if (too_deep(m.value, max_depth - 1)) return true;
  } else {
    for (const auto& e : v.GetArray())
      if (too_deep(e, max_depth - 1)) return true;
  }
  return false;
}

std::string serialize(const rapidjson::Value& v) {
  std::string out;
  StringSink sink(out);
  JsonWriter w(sink);
  v.Accept(w);
  return out;
}

}  // namespace

Result<std::string> shop_json(const rapidjson::Value* shop, const DetailLimits& limits) {
  if (!shop || shop->IsNull()) return std::string("null");
  if (!shop->IsObject()) return invalid("shop must be an object");
  const auto name = shop->FindMember("name");
  if (name == shop->MemberEnd() || !name->value.IsString())
    return invalid("shop.name must be a string");
  const std::string_view text(name->value.GetString(), name->value.GetStringLength());
  if (text.empty()) return invalid("shop.name must not be empty");
  if (text.size() > limits.max_name_bytes) return invalid("shop.name is too long");
  if (has_control_characters(text)) return invalid("shop.name contains control characters");
  if (too_deep(*shop, limits.max_depth)) return invalid("shop is nested too deeply");
  std::string json = serialize(*shop);
  if (json.size() > limits.max_object_bytes) return invalid("shop is too large");
  return json;
}

Result<std::string> buyer_info_json(const rapidjson::Value* info, const DetailLimits& limits) {
  if (!info || info->IsNull()) return std::string("null");
  if (!info->IsObject()) return invalid("buyer_info must be an object");
  static constexpr std::array<std::string_view, 4> kFields{"name", "avatar", "phone_number",
                                                           "email"};
  std::string out;
  StringSink sink(out);
  JsonWriter w(sink);
  w.StartObject();
  for (std::string_view field : kFields) {
    const auto it =
        info->FindMember(rapidjson::Value(rapidjson::StringRef(field.data(), field.size())));
    if (it == info->MemberEnd()) continue;
    write_key(w, field);
    if (it->value.IsNull()) {
      w.Null();
      continue;
    }
    const std::string where = "buyer_info." + std::string(field);
    if (!it->value.IsString()) return invalid(where + " must be a string");
    const std::string_view text(it->value.GetString(), it->value.GetStringLength());
    const std::size_t max = field == "name" ? limits.max_name_bytes : limits.max_field_bytes;
    if (text.size() > max) return invalid(where + " is too long");
    if (has_control_characters(text)) return invalid(where + " contains control characters");
    write_string(w, text);
  }
  w.EndObject();
  return out;
}

}  // namespace cz::messenger
