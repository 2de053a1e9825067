#pragma once
// Error codes of the store (see store.hpp) and the exception that carries one out of a database
// call. Exceptions never cross the Store interface: the job runner turns them into Result errors.
#include <stdexcept>
#include <string>

#include "util/result.hpp"

namespace cz::store {

inline constexpr const char* kRoomNotFound = "ROOM_NOT_FOUND";
inline constexpr const char* kMessageNotFound = "MESSAGE_NOT_FOUND";
inline constexpr const char* kForbidden = "FORBIDDEN";
inline constexpr const char* kValidationError = "VALIDATION_ERROR";
inline constexpr const char* kStoreUnavailable = "STORE_UNAVAILABLE";
inline constexpr const char* kStoreError = "STORE_ERROR";

inline Error make_error(const char* code, std::string message) {
  return Error{code, std::move(message)};
}

// A database call failed. `error().code` is STORE_UNAVAILABLE for conditions worth retrying
// (busy, locked, out of connections) and STORE_ERROR otherwise.
class StoreFailure : public std::runtime_error {
 public:
  explicit StoreFailure(Error error)
      : std::runtime_error(error.message), error_(std::move(error)) {}
  const Error& error() const { return error_; }

 private:
  Error error_;
};

}  // namespace cz::store
