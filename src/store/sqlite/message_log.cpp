#include "store/sqlite/message_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/crc.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include <fmt/format.h>

#include "store/errors.hpp"

namespace cz::store::sqlite {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kHeaderBytes = 8;
// No message comes near this (content is capped far lower): a larger size is damage.
constexpr std::uint32_t kMaxPayloadBytes = 64u << 20;

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_string(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

std::uint32_t crc32(std::string_view bytes) {
  boost::crc_32_type crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

// Reads fields from a payload; any overrun makes it fail (ok() false) instead of reading on.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  std::uint64_t number(int width) {
    if (rest_.size() < static_cast<std::size_t>(width)) return fail();
    std::uint64_t v = 0;
    for (int i = 0; i < width; ++i) {
      v |= static_cast<std::uint64_t>(static_cast<unsigned char>(rest_[i])) << (8 * i);
    }
    rest_.remove_prefix(width);
    return v;
  }
  std::string string() {
    const std::uint64_t n = number(4);
    if (!ok_ || rest_.size() < n) return fail(), std::string();
    std::string s(rest_.substr(0, n));
    rest_.remove_prefix(n);
    return s;
  }
  bool done() const { return ok_ && rest_.empty(); }

 private:
  std::uint64_t fail() {
    ok_ = false;
    rest_ = {};
    return 0;
  }
  std::string_view rest_;
  bool ok_ = true;
};

std::optional<Message> decode_payload(std::string_view payload) {
  Reader r(payload);
  Message m;
  m.id = r.string();
  m.room_id = r.string();
  m.from = r.string();
  m.to = r.string();
  m.content = r.string();
  m.client_message_id = r.string();
  const std::uint64_t type = r.number(1);
  m.created_at = static_cast<TimeMs>(r.number(8));
  m.updated_at = m.created_at;
  if (!r.done() || type > static_cast<std::uint64_t>(MessageType::Emoji)) return std::nullopt;
  m.type = static_cast<MessageType>(type);
  return m;
}

[[noreturn]] void throw_io(std::string_view what, const std::string& path) {
  throw StoreFailure(make_error(kStoreUnavailable, fmt::format("message log: cannot {} {}: {}",
                                                               what, path, std::strerror(errno))));
}

}  // namespace

void append_record(std::string& out, const Message& m) {
  const std::size_t header_at = out.size();
  out.append(kHeaderBytes, '\0');
  put_string(out, m.id);
  put_string(out, m.room_id);
  put_string(out, m.from);
  put_string(out, m.to);
  put_string(out, m.content);
  put_string(out, m.client_message_id);
  out.push_back(static_cast<char>(m.type));
  put_u64(out, static_cast<std::uint64_t>(m.created_at));
  const std::string_view payload(out.data() + header_at + kHeaderBytes,
                                 out.size() - header_at - kHeaderBytes);
  std::string header;
  put_u32(header, static_cast<std::uint32_t>(payload.size()));
  put_u32(header, crc32(payload));
  std::copy(header.begin(), header.end(), out.begin() + static_cast<std::ptrdiff_t>(header_at));
}

DecodedRecords decode_records(std::string_view bytes) {
  DecodedRecords out;
  std::string_view rest = bytes;
  while (rest.size() >= kHeaderBytes) {
    Reader header(rest.substr(0, kHeaderBytes));
    const std::uint64_t size = header.number(4);
    const std::uint64_t crc = header.number(4);
    if (size > kMaxPayloadBytes || rest.size() - kHeaderBytes < size) break;
    const std::string_view payload = rest.substr(kHeaderBytes, size);
    if (crc32(payload) != crc) break;
    auto m = decode_payload(payload);
    if (!m) break;
    out.messages.push_back(std::move(*m));
    rest.remove_prefix(kHeaderBytes + size);
    out.valid_bytes = bytes.size() - rest.size();
  }
  return out;
}

MessageLog::MessageLog(std::string db_path, bool sync) : db_path_(std::move(db_path)), sync_(sync) {
  const auto existing = segments_on_disk();
  current_ = existing.empty() ? 1 : existing.back() + 1;
  oldest_ = existing.empty() ? current_ : existing.front();
  open_segment(current_);
}

MessageLog::~MessageLog() {
  if (fd_ >= 0) ::close(fd_);
}

std::string MessageLog::segment_path(std::uint64_t n) const {
  return fmt::format("{}-msglog-{}", db_path_, n);
}

std::string MessageLog::directory() const {
  const fs::path db(db_path_);
  return db.has_parent_path() ? db.parent_path().string() : ".";
}

std::vector<std::uint64_t> MessageLog::segments_on_disk() const {
  const std::string prefix = fs::path(db_path_).filename().string() + "-msglog-";
  std::vector<std::uint64_t> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string digits = name.substr(prefix.size());
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    found.push_back(std::stoull(digits));
  }
  std::sort(found.begin(), found.end());
  return found;
}

void MessageLog::open_segment(std::uint64_t n) {
  const std::string path = segment_path(n);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw_io("create", path);
  if (sync_) {
    // The new file's name must survive a power loss too, not only its contents.
    const int dfd = ::open(directory().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  current_ = n;
  size_ = 0;
}

std::vector<Message> MessageLog::read_existing() const {
  std::vector<Message> out;
  for (std::uint64_t n : segments_on_disk()) {
    if (n >= current_) continue;
    std::ifstream in(segment_path(n), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    DecodedRecords decoded = decode_records(bytes);
    std::move(decoded.messages.begin(), decoded.messages.end(), std::back_inserter(out));
  }
  return out;
}

void MessageLog::remove_older_segments() {
  remove_files(detach_older_segments());
}

std::vector<std::string> MessageLog::detach_older_segments() {
  // Segments are numbered without gaps from the oldest one: no directory scan on this path (the
  // writer calls it after every transaction that stored logged messages).
  std::vector<std::string> paths;
  for (; oldest_ < current_; ++oldest_) paths.push_back(segment_path(oldest_));
  return paths;
}

void MessageLog::remove_files(const std::vector<std::string>& paths) {
  for (const std::string& path : paths) ::unlink(path.c_str());
}

void MessageLog::append(std::string_view records) {
  std::size_t written = 0;
  while (written < records.size()) {
    const ssize_t n = ::pwrite(fd_, records.data() + written, records.size() - written,
                               static_cast<off_t>(size_ + written));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      // Nothing after a torn record could be read back: cut it off before the next append.
      if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) open_segment(current_ + 1);
      errno = saved;
      throw_io("append to", segment_path(current_));
    }
    written += static_cast<std::size_t>(n);
  }
  if (sync_ && ::fdatasync(fd_) != 0) {
    const int saved = errno;
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) open_segment(current_ + 1);
    errno = saved;
    throw_io("sync", segment_path(current_));
  }
  size_ += records.size();
}

void MessageLog::rotate() {
  if (size_ > 0) open_segment(current_ + 1);
}

}  // namespace cz::store::sqlite
