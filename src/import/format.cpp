#include "import/format.hpp"

#include <cstdint>

#include "store/errors.hpp"

namespace cz::import {
namespace {

constexpr std::uint32_t kMaxBsonDocument = 16 * 1024 * 1024;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool looks_like_bson(std::string_view head) {
  if (head.size() < 5) return false;
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(head[i]); };
  const std::uint32_t length =
      byte(0) | byte(1) << 8 | byte(2) << 16 | std::uint32_t{byte(3)} << 24;
  if (length < 5 || length > kMaxBsonDocument) return false;
  // An empty document is just its length and the terminating 0; otherwise an element type.
  const std::uint8_t type = byte(4);
  if (length == 5) return type == 0;
  return (type >= 0x01 && type <= 0x13) || type == 0x7F || type == 0xFF;
}

// Whether the first line is one whole JSON object (JSON lines) rather than the start of one
// that spans lines (pretty-printed). Tracks nesting outside strings.
bool first_line_is_whole_document(std::string_view text) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '\n') return depth == 0;
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
  }
  return true;  // no line end in the head: one very long line
}

}  // namespace

const char* format_name(Format format) {
  switch (format) {
    case Format::Empty:
      return "empty";
    case Format::JsonLines:
      return "JSON lines";
    case Format::JsonArray:
      return "JSON array";
    case Format::JsonStream:
      return "JSON documents";
    case Format::Bson:
      return "BSON";
  }
  return "?";
}

Result<Format> detect_format(std::string_view head) {
  if (looks_like_bson(head)) return Format::Bson;
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);  // a UTF-8 byte order mark
  std::size_t i = 0;
  while (i < head.size() && is_space(head[i])) ++i;
  if (i == head.size()) return Format::Empty;
  if (head[i] == '[') return Format::JsonArray;
  if (head[i] == '{')
    return first_line_is_whole_document(head.substr(i)) ? Format::JsonLines : Format::JsonStream;
  return store::make_error(store::kValidationError,
                           "neither JSON (mongoexport) nor BSON (mongodump): the file starts with "
                           "something else");
}

}  // namespace cz::import
