#pragma once
// Transparent hash so that maps keyed by std::string can be searched with a std::string_view
// (an incoming event name, a room) without building a temporary std::string.
#include <functional>
#include <string>
#include <string_view>

namespace cz::socketio {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
  std::size_t operator()(const std::string& s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
  std::size_t operator()(const char* s) const noexcept { return std::hash<std::string_view>{}(s); }
};

}  // namespace cz::socketio
