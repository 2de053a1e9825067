#pragma once
// Which kind of export a file is, told from its first bytes (never from its name: operators
// rename files, and mongoexport writes .json whatever the mode).
#include <string_view>

#include "util/result.hpp"

namespace cz::import {

enum class Format {
  Empty,       // nothing but white space
  JsonLines,   // mongoexport's default: one Extended JSON document per line
  JsonArray,   // mongoexport --jsonArray: [ {...}, {...} ], on one line or pretty-printed
  JsonStream,  // mongoexport --pretty: documents one after another, spanning lines
  Bson,        // mongodump's <collection>.bson: BSON documents back to back
};

const char* format_name(Format format);

// `head` is the start of the file (the whole file when shorter; 64 KiB is plenty). A BSON
// document starts with its little-endian int32 length (at most 16 MiB, so its 4th byte is 0 or
// 1) and a JSON file never holds a NUL byte. VALIDATION_ERROR when it is neither.
Result<Format> detect_format(std::string_view head);

}  // namespace cz::import
