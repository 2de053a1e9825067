#pragma once
// Reads one export file document by document, whatever its format (format.hpp), as JSON text
// (BSON documents are converted to relaxed Extended JSON by libbson), each with its position so
// that a bad one can be reported and skipped.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "import/format.hpp"

namespace cz::import {

struct Position {
  std::uint64_t index = 0;   // 1-based document number in the file
  std::uint64_t line = 0;    // 1-based line of its start (JSON formats; 0 for BSON)
  std::uint64_t offset = 0;  // byte offset of its start
};

// "line 12" for JSON lines; "document 5 (line 40, byte 1234)" / "document 5 (byte 1234)" else.
std::string describe(Format format, const Position& position);

struct RawDocument {
  std::string json;   // the document's JSON text, when it could be read
  std::string error;  // otherwise why not (the document is skipped; reading goes on)
  Position position;
};

class DocumentReader {
 public:
  virtual ~DocumentReader() = default;
  // The next document (or a document-sized piece that could not be read); false at the end.
  virtual bool next(RawDocument& out) = 0;
  // Set when the rest of the file cannot be read (an I/O error, BSON whose length fields are
  // broken): next() then returns false.
  virtual const std::optional<std::string>& fatal() const = 0;
  // Bytes consumed so far, for progress.
  virtual std::uint64_t bytes_read() const = 0;
};

// Opens `path` for `format` (not Empty). Throws std::runtime_error when it cannot be opened.
std::unique_ptr<DocumentReader> open_reader(const std::string& path, Format format);

// How many documents the file holds, when that is cheap to know (JSON lines: its non-blank
// lines; BSON: by walking the length fields); nullopt otherwise.
std::optional<std::uint64_t> count_documents(const std::string& path, Format format);

}  // namespace cz::import
