#include "import/document_reader.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <vector>

#include "import/readers.hpp"

namespace cz::import {
namespace {

struct File {
  explicit File(const std::string& path) : f(std::fopen(path.c_str(), "rb")) {}
  ~File() {
    if (f) std::fclose(f);
  }
  std::FILE* f;
};

std::optional<std::uint64_t> count_lines(const std::string& path) {
  File file(path);
  if (!file.f) return std::nullopt;
  std::vector<char> chunk(1 << 20);
  std::uint64_t documents = 0;
  bool blank = true;  // the current line holds only white space so far
  std::size_t got = 0;
  while ((got = std::fread(chunk.data(), 1, chunk.size(), file.f)) > 0) {
    for (std::size_t i = 0; i < got; ++i) {
      const char c = chunk[i];
      if (c == '\n') {
        documents += blank ? 0 : 1;
        blank = true;
      } else if (blank && c != ' ' && c != '\t' && c != '\r') {
        blank = false;
      }
    }
  }
  return documents + (blank ? 0 : 1);
}

std::optional<std::uint64_t> count_bson(const std::string& path) {
  File file(path);
  if (!file.f) return std::nullopt;
  std::uint64_t documents = 0;
  unsigned char length[4];
  while (std::fread(length, 1, 4, file.f) == 4) {
    const std::uint32_t n =
        length[0] | length[1] << 8 | length[2] << 16 | static_cast<std::uint32_t>(length[3]) << 24;
    if (n < 5 || std::fseek(file.f, static_cast<long>(n) - 4, SEEK_CUR) != 0) break;
    ++documents;
  }
  return documents;
}

}  // namespace

std::string describe(Format format, const Position& p) {
  if (format == Format::JsonLines) return fmt::format("line {}", p.line);
  if (p.line > 0) return fmt::format("document {} (line {}, byte {})", p.index, p.line, p.offset);
  return fmt::format("document {} (byte {})", p.index, p.offset);
}

std::unique_ptr<DocumentReader> open_reader(const std::string& path, Format format) {
  switch (format) {
    case Format::JsonLines:
      return open_json_lines(path);
    case Format::JsonArray:
      return open_json_stream(path, true);
    case Format::JsonStream:
      return open_json_stream(path, false);
    case Format::Bson:
      return open_bson(path);
    case Format::Empty:
      break;
  }
  throw std::runtime_error("no documents to read in " + path);
}

std::optional<std::uint64_t> count_documents(const std::string& path, Format format) {
  if (format == Format::JsonLines) return count_lines(path);
  if (format == Format::Bson) return count_bson(path);
  return std::nullopt;
}

}  // namespace cz::import
