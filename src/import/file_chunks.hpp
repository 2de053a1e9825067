#pragma once
// Buffered sequential reading of a file in large chunks (the JSON readers split them).
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cz::import {

class FileChunks {
 public:
  explicit FileChunks(const std::string& path) : file_(std::fopen(path.c_str(), "rb")) {
    if (!file_) throw std::runtime_error("cannot open " + path);
  }
  ~FileChunks() { std::fclose(file_); }
  FileChunks(const FileChunks&) = delete;
  FileChunks& operator=(const FileChunks&) = delete;

  // Appends up to one chunk to `buffer`; false at the end of the file (or on a read error,
  // then error() is true).
  bool read_into(std::string& buffer) {
    const std::size_t old = buffer.size();
    buffer.resize(old + kChunk);
    const std::size_t got = std::fread(buffer.data() + old, 1, kChunk, file_);
    buffer.resize(old + got);
    return got > 0;
  }
  bool error() const { return std::ferror(file_) != 0; }

 private:
  static constexpr std::size_t kChunk = 1 << 20;
  std::FILE* file_;
};

}  // namespace cz::import
