#pragma once
// Message ids: unique, and ordered by creation when compared as plain strings.
//
// Format: 26 characters of Crockford base32 ("0123456789ABCDEFGHJKMNPQRSTVWXYZ", upper case),
// encoding 128 bits big-endian (the first character carries only 3 bits, as in ULID):
//
//   bits 127..80  48-bit Unix time in milliseconds
//   bits  79..64  16-bit sequence within that millisecond
//   bits  63..0   64 random bits (per-thread generator seeded from OpenSSL RAND_bytes)
//
// It is ULID-compatible in shape (same alphabet, length and timestamp prefix, so any ULID
// tool decodes the time), but the 80 bits after the time are "sequence + random" rather than
// "monotonic random", because we want a stronger guarantee than ULID's per-generator one:
// ids are strictly increasing across ALL threads of the process. The (time, sequence) pair is
// one 64-bit atomic that only ever grows (a lock-free CAS, no mutex): a new id takes
// max(now << 16, last + 1). More than 65536 ids in one millisecond, or a wall clock that steps
// back, simply carry into the timestamp, which then runs slightly ahead of the clock until the
// clock catches up; order is never broken. The random tail keeps ids of different processes
// (a cluster sharing one database) from colliding.
//
// Because every id is larger than every id generated before it, a cursor "id > X" never skips
// a message created after X was handed out, as long as ids are drawn in commit order (the store
// draws them on its single writer thread inside the transaction).
#include <optional>
#include <string>
#include <string_view>

#include "util/time.hpp"

namespace cz {

inline constexpr std::size_t kIdLength = 26;

struct GeneratedId {
  std::string id;
  TimeMs time_ms = 0;  // the timestamp encoded in `id`; use it as the record's creation time
};

// A new id for "now". Thread-safe and lock-free.
GeneratedId generate_id();
// Same, with the caller's idea of now (tests; a caller that already read the clock).
GeneratedId generate_id_at(TimeMs now);

// Makes every id generated from now on larger than `id` (a valid id; others are ignored). A
// store calls it at startup with the largest id it holds, so that ids keep growing across a
// restart even if the wall clock stepped back meanwhile.
void advance_ids_past(std::string_view id);

// The smallest possible id of millisecond `ms` (sequence and random bits zero): every id created
// at `ms` or later compares >= it, every id created earlier compares < it. Turns a time bound
// into an id bound that an index on id can use. Times before 1970 map to the time 0 floor.
std::string id_floor_for_time(TimeMs ms);

// 26 characters of the alphabet above whose first character is 0..7.
bool is_valid_id(std::string_view id);

// An id the original (Node.js) service gave a message, kept by `cz-messenger import`: a cuid
// ("c" + 20 to 31 lower-case base-36 characters) or a MongoDB ObjectId (24 lower-case hex
// digits). They do not sort with ours; the store orders messages by (created_at, id).
bool is_original_id(std::string_view id);

// Ours or the original's: what a message cursor (sync `since`, REST `cursor`) may be.
inline bool is_message_id(std::string_view id) {
  return is_valid_id(id) || is_original_id(id);
}

// The timestamp of a valid id; nullopt otherwise.
std::optional<TimeMs> id_timestamp(std::string_view id);

}  // namespace cz
