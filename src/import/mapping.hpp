#pragma once
// The original service's documents (../shared/spec/original-service.md, "Data model") as our
// store's rows. Field by field:
//
// Room (`rooms` collection)
//   _id                        id; must be "<buyer>.<seller>" (our create_room derives it so)
//   type, creator              default "BS" and the buyer
//   buyer, seller              required, different
//   shop, buyer_info           objects kept as plain JSON (null when absent); shop_id is the
//                              document's `shop_id`, else shop._id / shop.id, else ""
//   buyer_last_message,        references to the copied message (its _id) and the copy's
//   seller_last_message        is_seen (or the older is_read)
//   *_unseen_messages          counters, default 0 (negative ones read as 0)
//   pinned_by_*, *_deleted_at  times, absent = none
//   deleted_by_*, enable       booleans, default false / true
//   created_at, updated_at     (or mongoose's createdAt / updatedAt); created_at defaults to
//                              updated_at, updated_at to created_at; neither -> rejected
//
// Message (`messages` collection), and the older variant's names in brackets
//   _id                        id, kept as it is: a cuid or an ObjectId's hex (util/ids.hpp:
//                              clients may page and sync from it); anything else is rejected
//   room_id, from [sender], to [receiver]   required
//   type                       TEXT | IMAGE | EMOJI (any case), default TEXT; others rejected
//   content                    required string without NUL characters
//   client_message_id          optional
//   is_seen [is_read]          default false
//   created_at [createdAt]     required, else the time in the id (cuid or ObjectId)
//   updated_at [updatedAt]     default created_at
//
// A document that cannot be mapped gets a reason naming the field.
#include <string>

#include "import/ejson.hpp"
#include "store/model.hpp"
#include "util/result.hpp"

namespace cz::import {

Result<store::Room> map_room(const Json& doc);
Result<store::Message> map_message(const Json& doc);

// The creation time encoded in an id the original could have used: a cuid ("c" + 8 base-36
// digits of epoch milliseconds + ...) or an ObjectId (24 hex digits, epoch seconds first).
std::optional<TimeMs> time_in_original_id(const std::string& id);

}  // namespace cz::import
