#pragma once
// Validation of each route's parameters: typed requests out of the query string, the path and
// the JSON body, or an Error with a stable code that names the offending field. Pure functions;
// the handlers only run what passed here.
#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "messenger/rest/bearer.hpp"
#include "messenger/room_details.hpp"
#include "messenger/validate.hpp"
#include "store/store.hpp"
#include "util/query.hpp"
#include "util/result.hpp"

namespace cz::messenger::rest {

struct PageLimits {
  std::size_t default_limit = 15;  // the original's default
  std::size_t max_limit = 100;     // larger requests are capped to it
};

// --- identity ------------------------------------------------------------------------------

// `user_id` and `role` as the original's clients send them (query or body), not yet checked.
struct IdentityParams {
  std::optional<std::string> user_id;
  std::optional<std::string> role;
};
Result<IdentityParams> identity_from_query(const query::Params& query, const Limits& limits);
Result<IdentityParams> identity_from_body(const rapidjson::Value& body, const Limits& limits);

// Who acts: always the token's user; the role given, else the token's, else unknown.
struct Acting {
  std::string user_id;
  std::optional<store::Role> role;
};
// A user_id other than the token's, or a role other than the token's, is FORBIDDEN; a role that
// is not BUYER/SELLER is a VALIDATION_ERROR.
Result<Acting> resolve_identity(const Caller& caller, const IdentityParams& params);

// The side `acting` plays in `room`: FORBIDDEN unless they are a participant, and on the side
// they claim when they claim one.
Result<store::Role> side_in_room(const store::Room& room, const Acting& acting);

// --- path parameters (raw, percent-encoded) ------------------------------------------------

Result<std::string> room_id_param(std::string_view raw, const Limits& limits);
Result<std::string> message_id_param(std::string_view raw, const Limits& limits);

// --- routes --------------------------------------------------------------------------------

// GET /v1/rooms: role required (from the query or the token); name, pinned optional.
Result<store::RoomQuery> parse_list_rooms(const query::Params& query, const Acting& acting,
                                          std::size_t max_name_bytes);

// GET /v1/messages
struct MessagePage {
  store::MessageQuery query;   // limit is the page size the client gets
  std::optional<TimeMs> from;  // the original's time cursor, as given
};
Result<MessagePage> parse_list_messages(const query::Params& query, const Limits& limits,
                                        const PageLimits& pages);

// POST /v1/rooms: the original's {type, buyer, seller, shop_id, creator} plus `shop` and
// `buyer_info`. The caller must be the buyer or the seller (in the token's role, if it has
// one) and the creator when one is named; creator defaults to the caller.
Result<store::CreateRoom> parse_create_room_body(const rapidjson::Value& body, const Acting& acting,
                                                 const Limits& limits, const DetailLimits& details);

// POST /v1/messages: {room_id, from, to, type, content, client_message_id?}; `from` must be
// the caller. Whether `to` is the other participant is checked against the room.
Result<store::NewMessage> parse_post_message(const rapidjson::Value& body, const Acting& acting,
                                             const Limits& limits);

// PUT /v1/messages/{id}: {content} -> the new content.
Result<std::string> parse_edit_message(const rapidjson::Value& body, const Limits& limits);

}  // namespace cz::messenger::rest
