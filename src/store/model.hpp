#pragma once
// The stored data: rooms and messages, as in the original service (see docs/protocol.md).
// Times are milliseconds since the Unix epoch; JSON renders them as ISO-8601 UTC strings.
#include <cstdint>
#include <optional>
#include <string>

namespace cz::store {

enum class Role { Buyer, Seller };
enum class MessageType { Text, Image, Emoji };
using TimeMs = std::int64_t;

struct Message {
  std::string id;  // server-generated, unique, time-ordered (see ids.hpp)
  std::string room_id;
  std::string from;
  std::string to;
  MessageType type = MessageType::Text;
  std::string content;
  std::string client_message_id;  // empty when the client sent none
  bool is_seen = false;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

// One side's view of the last message of a room.
struct LastMessage {
  Message message;
  bool is_seen = false;
};

struct Room {
  std::string id;  // "<buyer>.<seller>"
  std::string type = "BS";
  std::string creator;
  std::string buyer;
  std::string seller;
  std::string shop_id;
  std::string shop_json = "null";        // serialized JSON object (at least {"name":...}) or null
  std::string buyer_info_json = "null";  // serialized JSON {name, avatar, phone_number, email}
  std::optional<LastMessage> buyer_last_message;
  std::optional<LastMessage> seller_last_message;
  std::int64_t buyer_unseen_messages = 0;
  std::int64_t seller_unseen_messages = 0;
  std::optional<TimeMs> pinned_by_buyer;
  std::optional<TimeMs> pinned_by_seller;
  bool deleted_by_buyer = false;
  bool deleted_by_seller = false;
  std::optional<TimeMs> buyer_deleted_at;
  std::optional<TimeMs> seller_deleted_at;
  bool enable = true;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;

  // The side `user_id` plays in this room, if any.
  std::optional<Role> side_of(const std::string& user_id) const {
    if (user_id == buyer) return Role::Buyer;
    if (user_id == seller) return Role::Seller;
    return std::nullopt;
  }
};

}  // namespace cz::store
