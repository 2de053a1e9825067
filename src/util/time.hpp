#pragma once
// Wall-clock time as milliseconds since the Unix epoch, and its ISO-8601 text form.
//
// The wire format of every timestamp is ISO-8601 UTC with milliseconds,
// "2026-11-25T13:37:21.123Z" (what JavaScript's Date#toISOString() writes), so that the
// official clients parse our timestamps exactly as they parsed the original service's.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cz {

using TimeMs = std::int64_t;

// Milliseconds since the Unix epoch (system clock).
TimeMs now_ms();

// "YYYY-MM-DDTHH:MM:SS.mmmZ" in UTC. Years outside 0000..9999 are clamped to that range's ends
// (JavaScript would switch to a six-digit year form there; nothing we store gets close).
std::string format_iso8601(TimeMs ms);

// Parses an ISO-8601 date-time: "YYYY-MM-DDTHH:MM[:SS[.fraction]]" followed by "Z" or a
// "+HH:MM"/"-HH:MM" offset (lower-case 't'/'z' and a space instead of 'T' are accepted, as
// JavaScript's Date.parse does); a bare date "YYYY-MM-DD" means midnight UTC. Fractions beyond
// milliseconds are truncated. Returns nullopt on anything else, including impossible dates.
std::optional<TimeMs> parse_iso8601(std::string_view text);

// A timestamp given by a client (e.g. a history cursor): either ISO-8601 as above or a decimal
// number of epoch milliseconds (optionally negative).
std::optional<TimeMs> parse_time(std::string_view text);

}  // namespace cz
