// mongoexport --jsonArray ("[doc, doc, ...]") and --pretty (documents spanning lines, one after
// another). Documents are cut out by tracking { } nesting outside strings, then parsed one by
// one, so a malformed document is reported with its number and position and the next one is
// read. Only a document that never ends (an unterminated string or brace) runs to the end of the
// file; it is reported as truncated.
#include <fmt/format.h>

#include "import/document_reader.hpp"
#include "import/file_chunks.hpp"
#include "import/readers.hpp"

namespace cz::import {
namespace {

class JsonStreamReader final : public DocumentReader {
 public:
  JsonStreamReader(const std::string& path, bool array) : file_(path), array_(array) {}

  bool next(RawDocument& out) override {
    if (!skip_separators()) return false;
    const std::size_t begin = pos_;
    out.position = Position{++index_, line_, consumed_ + begin};
    out.error.clear();
    depth_ = 0;
    in_string_ = escaped_ = false;
    if (buffer_[pos_] != '{') {
      // Not a document: skip to the next separator at the top level, or to where the next
      // document starts (a --pretty stream has no commas between documents), and say so.
      while (ensure(pos_)) {
        const char c = buffer_[pos_];
        if (depth_ == 0 && (c == ',' || c == ']')) break;
        if (depth_ == 0 && c == '{' && pos_ > begin) break;
        step(c);
        // A stray closer at the top level ("}" in a stream) must not take the nesting below
        // zero: the piece would then never end and swallow the rest of the file.
        if (depth_ < 0) depth_ = 0;
        ++pos_;
      }
      // A "]" outside an array (--pretty files have none) stops that loop where it started:
      // it is this piece, one byte long, or the reader would report it again forever.
      if (pos_ == begin) ++pos_;
      out.json.clear();
      out.error = "not a document (an object was expected)";
      return true;
    }
    do {
      if (!ensure(pos_)) {
        out.json.clear();
        out.error = "the document is truncated: the file ends inside it";
        return true;
      }
      step(buffer_[pos_]);
      ++pos_;
    } while (depth_ > 0 || in_string_);
    out.json.assign(buffer_, begin, pos_ - begin);
    return true;
  }

  const std::optional<std::string>& fatal() const override { return fatal_; }
  std::uint64_t bytes_read() const override { return consumed_ + pos_; }

 private:
  // Moves past white space, commas and (arrays) the brackets; false at the end.
  bool skip_separators() {
    compact();
    for (;;) {
      if (!ensure(pos_)) {
        if (file_.error()) fatal_ = "read error";
        return false;  // a missing "]" loses nothing: every document before it was read
      }
      const char c = buffer_[pos_];
      if (c == '\n') ++line_;
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',') {
        ++pos_;
      } else if (array_ && c == '[' && !opened_) {
        opened_ = true;
        ++pos_;
      } else if (array_ && c == ']') {
        ++pos_;
      } else if (c == '\xEF' && consumed_ + pos_ == 0) {
        pos_ += 3;  // UTF-8 byte order mark
      } else {
        return true;
      }
    }
  }

  // Nesting outside strings; counts lines.
  void step(char c) {
    if (c == '\n') ++line_;
    if (in_string_) {
      if (escaped_)
        escaped_ = false;
      else if (c == '\\')
        escaped_ = true;
      else if (c == '"')
        in_string_ = false;
      return;
    }
    if (c == '"') in_string_ = true;
    if (c == '{' || c == '[') ++depth_;
    if (c == '}' || c == ']') --depth_;
  }

  // Makes buffer_[i] readable, reading more of the file; false at the end of the file.
  bool ensure(std::size_t i) {
    while (i >= buffer_.size()) {
      if (!file_.read_into(buffer_)) return false;
    }
    return true;
  }

  // Between documents: drops what was read, so the buffer holds about one chunk plus the
  // current document, not the file.
  void compact() {
    if (pos_ < (1u << 20)) return;
    consumed_ += pos_;
    buffer_.erase(0, pos_);
    pos_ = 0;
  }

  FileChunks file_;
  bool array_;
  std::string buffer_;
  std::size_t pos_ = 0;
  std::uint64_t consumed_ = 0;
  std::uint64_t line_ = 1, index_ = 0;
  int depth_ = 0;
  bool in_string_ = false, escaped_ = false;
  bool opened_ = false;
  std::optional<std::string> fatal_;
};

}  // namespace

std::unique_ptr<DocumentReader> open_json_stream(const std::string& path, bool array) {
  return std::make_unique<JsonStreamReader>(path, array);
}

}  // namespace cz::import
