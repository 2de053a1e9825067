// mongoexport's default output: one document per line (it escapes line breaks inside strings,
// so a line is always one whole document). A line that is not JSON is the parser's problem and
// is reported with its number; the next line is read as usual.
#include "import/document_reader.hpp"
#include "import/file_chunks.hpp"
#include "import/readers.hpp"

namespace cz::import {
namespace {

class JsonLinesReader final : public DocumentReader {
 public:
  explicit JsonLinesReader(const std::string& path) : file_(path) {}

  bool next(RawDocument& out) override {
    for (;;) {
      std::size_t end = buffer_.find('\n', start_);
      if (end == std::string::npos && refill()) continue;
      if (end == std::string::npos && start_ >= buffer_.size()) {
        if (file_.error()) fatal_ = "read error";
        return false;
      }
      if (end == std::string::npos) end = buffer_.size();  // last line without a line break
      std::string_view line(buffer_.data() + start_, end - start_);
      const std::uint64_t offset = consumed_ + start_;
      ++line_;
      start_ = end + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
      out.json.assign(line);
      out.error.clear();
      out.position = Position{++index_, line_, offset};
      return true;
    }
  }
  const std::optional<std::string>& fatal() const override { return fatal_; }
  std::uint64_t bytes_read() const override { return consumed_ + start_; }

 private:
  // Drops what was read and appends the next chunk; false at the end of the file.
  bool refill() {
    if (start_ > 0) {
      consumed_ += std::min(start_, buffer_.size());
      buffer_.erase(0, std::min(start_, buffer_.size()));
      start_ = 0;
    }
    return file_.read_into(buffer_);
  }

  FileChunks file_;
  std::string buffer_;
  std::size_t start_ = 0;       // first unread byte of buffer_
  std::uint64_t consumed_ = 0;  // file offset of buffer_[0]
  std::uint64_t line_ = 0, index_ = 0;
  std::optional<std::string> fatal_;
};

}  // namespace

std::unique_ptr<DocumentReader> open_json_lines(const std::string& path) {
  return std::make_unique<JsonLinesReader>(path);
}

}  // namespace cz::import
