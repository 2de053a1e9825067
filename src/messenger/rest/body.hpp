#pragma once
// The JSON body of a request. Pure.
#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string_view>

#include "util/result.hpp"

namespace cz::messenger::rest {

// Parses `body` as one JSON object; an empty body is {}. Refuses, in this order: a body over
// `max_bytes` (PAYLOAD_TOO_LARGE), a Content-Type that is not JSON (UNSUPPORTED_MEDIA_TYPE; an
// absent one is accepted), text that is not JSON or not valid UTF-8 (INVALID_JSON), and JSON
// that is not an object (VALIDATION_ERROR). Parsing is iterative: deep nesting cannot exhaust
// the I/O thread's stack.
Result<rapidjson::Document> parse_json_body(std::string_view body,
                                            std::optional<std::string_view> content_type,
                                            std::size_t max_bytes);

// Whether a Content-Type names JSON: application/json or any application/...+json, parameters
// (charset) ignored, case-insensitive.
bool is_json_media_type(std::string_view content_type);

}  // namespace cz::messenger::rest
