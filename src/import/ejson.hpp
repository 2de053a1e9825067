#pragma once
// Reading MongoDB Extended JSON v2 values (what mongoexport writes, relaxed or canonical) as the
// plain values our store keeps. Each reader accepts every form a field can take in an export:
//   strings     "x", {"$oid": "<24 hex>"}, and integers (user ids exported as numbers)
//   times       {"$date": "<ISO-8601>"}, {"$date": {"$numberLong": "<ms>"}}, {"$date": <ms>},
//               a bare ISO-8601 string or a number of epoch milliseconds
//   integers    numbers, {"$numberInt": "n"}, {"$numberLong": "n"}, {"$numberDouble": "n"} (whole)
//   booleans    true / false
// and answers nullopt for anything else, so the caller can say which field was wrong.
#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>

#include "util/time.hpp"

namespace cz::import {

using Json = rapidjson::Value;

// The member `name` of object `doc`, or nullptr when absent or JSON null.
const Json* field(const Json& doc, const char* name);

std::optional<std::string> ejson_string(const Json& v);
std::optional<TimeMs> ejson_time(const Json& v);
std::optional<std::int64_t> ejson_integer(const Json& v);
std::optional<bool> ejson_bool(const Json& v);

// `v` as plain JSON text, with the Extended JSON wrappers unwrapped ($oid -> its hex string,
// $date -> ISO-8601 string, $numberInt/$numberLong/$numberDouble -> a number): what our rooms'
// `shop` and `buyer_info` hold and clients read.
std::string to_plain_json(const Json& v);

}  // namespace cz::import
