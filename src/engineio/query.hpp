#pragma once
// Query-string parsing for Engine.IO requests (pure).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cz::engineio {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Percent-decodes (and turns '+' into ' '); malformed escapes are kept as they are, as Node's
// querystring does.
std::string url_decode(std::string_view text);

// The decoded parameters of a request target ("/socket.io/?EIO=4&transport=polling").
QueryParams parse_query(std::string_view target);

// The first value of `name`, if present.
std::optional<std::string_view> query_param(const QueryParams& params, std::string_view name);

}  // namespace cz::engineio
