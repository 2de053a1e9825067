#include "store/sql_rows.hpp"

#include <fmt/format.h>

namespace cz::store {
namespace {

constexpr std::string_view kMessageColumnNames[kMessageColumnCount] = {
    "id",      "room_id",           "sender",  "recipient",  "type",
    "content", "client_message_id", "is_seen", "created_at", "updated_at"};

}  // namespace

std::string message_columns(std::string_view alias) {
  std::string out;
  for (std::string_view name : kMessageColumnNames) {
    if (!out.empty()) out += ", ";
    if (!alias.empty()) out.append(alias).append(".");
    out.append(name);
  }
  return out;
}

const char* message_type_name(MessageType type) {
  switch (type) {
    case MessageType::Image:
      return "IMAGE";
    case MessageType::Emoji:
      return "EMOJI";
    case MessageType::Text:
      break;
  }
  return "TEXT";
}

std::optional<MessageType> parse_message_type(std::string_view name) {
  if (name == "TEXT") return MessageType::Text;
  if (name == "IMAGE") return MessageType::Image;
  if (name == "EMOJI") return MessageType::Emoji;
  return std::nullopt;
}

const char* side_name(Role side) {
  return side == Role::Buyer ? "buyer" : "seller";
}

std::string sql_for_side(std::string_view sql_template, Role side) {
  return fmt::format(
      fmt::runtime(sql_template), fmt::arg("side", side_name(side)),
      fmt::arg("other", side_name(other_side(side))),
      fmt::arg("other_name_json", side == Role::Buyer ? "shop_json" : "buyer_info_json"),
      fmt::arg("side_last", side == Role::Buyer ? "bm" : "sm"));
}

}  // namespace cz::store
