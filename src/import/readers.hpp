#pragma once
// The readers behind open_reader (document_reader.hpp), one per format family.
#include <memory>
#include <string>

#include "import/document_reader.hpp"

namespace cz::import {

std::unique_ptr<DocumentReader> open_json_lines(const std::string& path);
std::unique_ptr<DocumentReader> open_json_stream(const std::string& path, bool array);
std::unique_ptr<DocumentReader> open_bson(const std::string& path);

}  // namespace cz::import
