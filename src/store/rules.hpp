#pragma once
// Store rules that do not depend on the database: input checks, error texts, page bounds.
// Every implementation (sqlite/, postgres/) applies the same ones, so they live here once.
#include <cstdint>
#include <limits>
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

// Message order on SQLite is (created_at, id): for our own ids it is id order (created_at is the
// id's time), and it also places imported messages (the original's cuids and ObjectIds, which
// do not sort with our ids; `cz-messenger import`) by their time. Pages and sync are ranges of
// it. (PostgreSQL orders by a position that keeps the imported messages in this order, below the
// live ones, and places a cursor it does not store with cursor_time_of: store/README.md.)
struct MessageKey {
  TimeMs created_at = 0;
  std::string id;
};
inline constexpr TimeMs kBeforeAllTimes = std::numeric_limits<TimeMs>::min();
inline constexpr TimeMs kAfterAllTimes = std::numeric_limits<TimeMs>::max();

// The range of a message page: lower < (created_at, id) < upper. `cursor_time` is the cursor
// message's created_at (cursor_time_of). nullopt when there is a cursor nobody can place (not
// stored, and not one of our ids): the page is then empty.
struct KeyRange {
  MessageKey lower{kBeforeAllTimes, ""};
  MessageKey upper{kAfterAllTimes, ""};
};
std::optional<KeyRange> page_key_range(const MessageQuery& query,
                                       std::optional<TimeMs> cursor_time);

// Where a cursor message sits: its stored created_at, else (a message of ours not visible here)
// the time in its id; nullopt for neither.
std::optional<TimeMs> cursor_time_of(const std::string& id, std::optional<TimeMs> stored);

// sync_messages' bounds: (created_at, id) > lower and created_at > time_floor. nullopt when the
// `since` message cannot be placed (the answer is then empty).
struct SyncBounds {
  MessageKey lower{kBeforeAllTimes, ""};
  TimeMs time_floor = kBeforeAllTimes;
};
std::optional<SyncBounds> sync_bounds(const SyncQuery& query, std::optional<TimeMs> since_time);

// A requested page size clamped to kMaxPageSize, as a SQL LIMIT.
std::int64_t page_limit(std::size_t requested);

}  // namespace cz::store
