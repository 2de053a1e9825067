#pragma once
// Small helpers to build responses.
#include <string>
#include <string_view>

#include "net/http.hpp"

namespace cz::net {

// A response to `request` (same HTTP version and keep-alive) with a body and Content-Type.
Response make_response(const Request& request, http::status status, std::string body,
                       std::string_view content_type);

// {"code":"<code>","message":"<message>"} with Content-Type application/json.
Response make_json_error(const Request& request, http::status status, std::string_view code,
                         std::string_view message);

// For handlers that serve GET and HEAD only: answers any other method with 405 and
// `Allow: GET, HEAD` and returns true (handled); false for GET and HEAD.
bool refuse_unless_get_or_head(HttpExchange& exchange);

// Escapes `text` as the inside of a JSON string literal.
void append_json_escaped(std::string& out, std::string_view text);

// The request target's path (everything before '?').
std::string_view target_path(std::string_view target);

}  // namespace cz::net
