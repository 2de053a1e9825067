#pragma once
// docs/openapi.json, compiled into the binary at build time (src/messenger/rest/embed_text.cmake
// writes it into a generated source file) and served at GET /openapi.json.
#include <string_view>

namespace cz::messenger::rest {

std::string_view openapi_document();

}  // namespace cz::messenger::rest
