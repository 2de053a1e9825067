// mongodump's <collection>.bson: BSON documents back to back, read with libbson (the library
// of MongoDB's own C driver) and handed on as relaxed Extended JSON, which the mapping reads
// like mongoexport's output. A document libbson cannot convert (invalid UTF-8, a broken element)
// is reported with its byte offset and skipped; broken length fields make the rest unreadable
// (nothing tells where the next document starts), which is fatal.
#include <bson/bson.h>
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "import/document_reader.hpp"
#include "import/readers.hpp"

namespace cz::import {
namespace {

class BsonReader final : public DocumentReader {
 public:
  explicit BsonReader(const std::string& path) {
    bson_error_t error;
    reader_ = bson_reader_new_from_file(path.c_str(), &error);
    if (!reader_) throw std::runtime_error(fmt::format("cannot open {}: {}", path, error.message));
  }
  ~BsonReader() override { bson_reader_destroy(reader_); }

  bool next(RawDocument& out) override {
    if (fatal_) return false;
    const auto offset = static_cast<std::uint64_t>(bson_reader_tell(reader_));
    bool eof = false;
    const bson_t* doc = bson_reader_read(reader_, &eof);
    if (!doc) {
      if (!eof)
        fatal_ = fmt::format("broken BSON at byte {}: the rest of the file cannot be read", offset);
      return false;
    }
    out.position = Position{++index_, 0, offset};
    out.error.clear();
    out.json.clear();
    std::size_t length = 0;
    char* json = bson_as_relaxed_extended_json(doc, &length);
    if (!json) {
      out.error = "not a valid BSON document (libbson cannot read it)";
      return true;
    }
    out.json.assign(json, length);
    bson_free(json);
    return true;
  }

  const std::optional<std::string>& fatal() const override { return fatal_; }
  std::uint64_t bytes_read() const override {
    return static_cast<std::uint64_t>(bson_reader_tell(reader_));
  }

 private:
  bson_reader_t* reader_ = nullptr;
  std::uint64_t index_ = 0;
  std::optional<std::string> fatal_;
};

}  // namespace

std::unique_ptr<DocumentReader> open_bson(const std::string& path) {
  return std::make_unique<BsonReader>(path);
}

}  // namespace cz::import
