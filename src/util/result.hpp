#pragma once
// A value or an error with a stable machine-readable code and a human-readable message.
// (std::expected is C++23; GCC 12 in C++20 mode does not have it.)
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace cz {

struct Error {
  std::string code;     // stable, e.g. "ROOM_NOT_FOUND", "VALIDATION_ERROR", "STORE_UNAVAILABLE"
  std::string message;  // readable, safe to show to the client
};

template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

struct Unit {};

}  // namespace cz
