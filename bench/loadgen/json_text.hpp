#pragma once
// Appending JSON text by hand on the send path: the payloads are fixed shapes, so a writer
// object would only add cost.
#include <string>
#include <string_view>

namespace cz::loadgen {

// Appends `value` as a quoted, escaped JSON string.
void append_json_string(std::string& out, std::string_view value);

}  // namespace cz::loadgen
