#pragma once
// Validation of client payloads: typed requests out of rapidjson values, or a cz::Error with a
// stable code (errors.hpp) and a message that names the offending field. Pure functions.
//
// Id fields (user ids, shop ids) accept a JSON string or an integer, which becomes its decimal
// text, as the original's schema cast numbers to strings. Ids must be non-empty, within
// Limits::max_id_bytes and free of control characters.
#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/model.hpp"
#include "store/store.hpp"
#include "util/result.hpp"

namespace cz::messenger {

struct Limits {
  std::size_t max_content_bytes = 4096;  // --max-message-size
  std::size_t max_message_ids = 100;     // seen_messages
  std::size_t max_status_users = 100;    // get_user_status
  std::size_t max_id_bytes = 128;        // a user id, shop id, message id or client_message_id
  std::size_t max_token_bytes = 8192;
  std::size_t default_sync_limit = 100;
  std::size_t max_sync_limit = 500;
};

// --- field extraction ----------------------------------------------------------------------

// The object a handler works on: the first event argument. Anything else is refused.
Result<const rapidjson::Value*> payload_object(const rapidjson::Value& args);

Result<std::string> required_id(const rapidjson::Value& obj, std::string_view field,
                                const Limits& limits);
// Absent or null -> nullopt; present -> checked like required_id.
Result<std::optional<std::string>> optional_id(const rapidjson::Value& obj, std::string_view field,
                                               const Limits& limits);
Result<std::string> required_string(const rapidjson::Value& obj, std::string_view field,
                                    std::size_t max_bytes);
// A room id "<buyer>.<seller>": two ids and a dot.
Result<std::string> required_room_id(const rapidjson::Value& obj, const Limits& limits);

Result<store::Role> parse_role(std::string_view text);  // "BUYER" | "SELLER" (any case)
Result<store::MessageType> parse_message_type(std::string_view text);  // "TEXT"|"IMAGE"|"EMOJI"

// --- requests ------------------------------------------------------------------------------

struct Credentials {
  std::string token;
  std::string user_id;
  store::Role role = store::Role::Buyer;
};
// {token, user_id, user_role}; all required. Failures have code UNAUTHORIZED.
Result<Credentials> parse_credentials(const rapidjson::Value& obj, const Limits& limits);
// The same from already-extracted text (handshake query parameters).
Result<Credentials> check_credentials(std::optional<std::string_view> token,
                                      std::optional<std::string_view> user_id,
                                      std::optional<std::string_view> user_role,
                                      const Limits& limits);

// {type: "BS" (default), buyer, seller, shop_id?, creator?}; creator empty when not given.
Result<store::CreateRoom> parse_create_room(const rapidjson::Value& obj, const Limits& limits);

// The one check of a message's content, for every path that writes one (new_message, POST and
// PUT /v1/messages): non-empty, at most max_content_bytes (CONTENT_TOO_LARGE), well-formed UTF-8
// without NUL (VALIDATION_ERROR). nullopt when it may be stored.
std::optional<Error> check_content(std::string_view content, const Limits& limits);

// {room_id, from, to, type, content, client_message_id?}
Result<store::NewMessage> parse_new_message(const rapidjson::Value& obj, const Limits& limits);

struct Typing {
  std::string room_id;
  std::string from;
  std::string to;
};
// {room_id, from, to} (typing, stop_typing)
Result<Typing> parse_typing(const rapidjson::Value& obj, const Limits& limits);

struct SeenMessages {
  std::string room_id;
  std::string from;
  std::string to;
  std::optional<std::vector<std::string>> message_ids;  // absent: every message to `from`
};
Result<SeenMessages> parse_seen_messages(const rapidjson::Value& obj, const Limits& limits);

// {since?: message id | epoch ms | ISO time, limit?}. The payload may be absent (null).
// Returns the query without user_id; limit is clamped to max_sync_limit.
Result<store::SyncQuery> parse_sync(const rapidjson::Value& payload, const Limits& limits);

// {user_ids: [...]} (at most max_status_users)
Result<std::vector<std::string>> parse_user_status_request(const rapidjson::Value& obj,
                                                           const Limits& limits);

// --- authorization -------------------------------------------------------------------------

struct Participants {
  std::string buyer;
  std::string seller;
};

// `me` may send into (or type in, or read) the room as `from` to `to`: from is me, I am one
// participant and `to` is the other. FORBIDDEN otherwise.
std::optional<Error> check_conversation(const Participants& room, std::string_view me,
                                        std::string_view from, std::string_view to);

// buyer != seller (VALIDATION_ERROR), `me` is one of them and the creator when one is named
// (FORBIDDEN).
std::optional<Error> check_create_room(const store::CreateRoom& request, std::string_view me);

}  // namespace cz::messenger
