#pragma once
// The stable error codes a client can see, and the mapping of store errors onto them.
#include <string>

#include "util/result.hpp"

namespace cz::messenger {

namespace code {
inline constexpr const char* kValidationError = "VALIDATION_ERROR";  // missing/wrong-typed field
inline constexpr const char* kInvalidJson = "INVALID_JSON";   // a packet whose JSON does not parse
inline constexpr const char* kUnauthorized = "UNAUTHORIZED";  // identity not proven
inline constexpr const char* kForbidden = "FORBIDDEN";        // not your room, forged `from`, ...
inline constexpr const char* kRoomNotFound = "ROOM_NOT_FOUND";
inline constexpr const char* kMessageNotFound = "MESSAGE_NOT_FOUND";
inline constexpr const char* kContentTooLarge = "CONTENT_TOO_LARGE";
inline constexpr const char* kUnknownMessageType = "UNKNOWN_MESSAGE_TYPE";
inline constexpr const char* kTooManyIds = "TOO_MANY_IDS";
inline constexpr const char* kStoreUnavailable = "STORE_UNAVAILABLE";  // retryable
inline constexpr const char* kRateLimited = "RATE_LIMITED";    // over the socket's event rate
inline constexpr const char* kUnknownEvent = "UNKNOWN_EVENT";  // an event nobody handles
inline constexpr const char* kInternal = "INTERNAL";
}  // namespace code

inline Error make_error(const char* code, std::string message) {
  return Error{code, std::move(message)};
}

// Store errors as the client sees them: domain codes pass through; anything else becomes
// INTERNAL with a generic message (database error text is for the log, not for clients).
Error client_error_from_store(const Error& store_error);

}  // namespace cz::messenger
