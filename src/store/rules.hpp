#pragma once
// Store rules that do not depend on the database: input checks, error texts, page bounds.
// Every implementation (sqlite/, postgres/) applies the same ones, so they live here once.
#include <cstdint>
#include <optional>
#include <string>

#include "store/errors.hpp"
#include "store/store.hpp"

namespace cz::store {

// Largest page list_messages / sync_messages return, whatever the caller asks.
inline constexpr std::size_t kMaxPageSize = 1000;

Error room_not_found(const std::string& room_id);
Error message_not_found(const std::string& message_id);

// VALIDATION_ERROR for: a missing buyer or seller, buyer == seller (the original's text), a
// creator who is neither, shop/buyer_info that are not one strict JSON value.
std::optional<Error> validate_create_room(const CreateRoom& req);

// The id of the room of `buyer` and `seller`: "<buyer>.<seller>", the original's form, for every
// id without '.' or '%'. Those two are %-escaped in each id ('%' -> "%25", '.' -> "%2E"), so that
// the id is unambiguous: buyer "x.y" with seller "z" is "x%2Ey.z", buyer "x" with seller "y.z"
// is "x.y%2Ez" (both were "x.y.z", and whoever came second could never have that room).
std::string room_id_of(const std::string& buyer, const std::string& seller);

// What create_room does with a room that already has the requested id: VALIDATION_ERROR if it
// belongs to other users (no longer possible for rooms named by room_id_of(); rooms created
// before it with a '.' in an id can still be taken), Reenabled if the
// creator's side had deleted it (the caller then clears both deletion flags), Existed otherwise.
Result<CreateOutcome> outcome_for_existing(const CreateRoom& req, const Room& existing);

// The id range of a message page: lower < id < upper. `before` becomes the first id of that
// millisecond (a message's created_at equals its id's timestamp), so the cursor and the time
// bound both use an index on (room_id, id). `upper` is kAboveAllIds when there is no bound.
struct IdRange {
  std::string lower;
  std::string upper;
};
inline constexpr const char* kAboveAllIds = "~";  // ids use digits and upper-case letters only
IdRange page_range(const MessageQuery& query);

// sync_messages' time bound as an id: messages created strictly after since_time are those with
// id >= the returned floor ("" when there is no time bound).
std::string sync_time_floor(const SyncQuery& query);

// A requested page size clamped to kMaxPageSize, as a SQL LIMIT.
std::int64_t page_limit(std::size_t requested);

}  // namespace cz::store
