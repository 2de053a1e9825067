#pragma once
// The message log: new messages, appended in the order they were acknowledged, until the
// indexer has stored them in the database (unindexed.hpp says why).
//
// On disk: segment files `<db>-msglog-<n>` (n counts up), each a run of records
//
//   u32 payload size | u32 CRC-32 of the payload | payload
//   payload: id, room_id, from, to, content, client_message_id (each u32 size + bytes),
//            type (u8), created_at (i64)          -- integers little-endian
//
// A record is appended with one write per batch of records; a crash can leave the last one torn,
// which decode_records stops at (its CRC or size does not match). The codec is pure: bytes in,
// messages out, for the unit tests and the fuzzer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/model.hpp"

namespace cz::store::sqlite {

// Appends `m`'s record to `out`.
void append_record(std::string& out, const Message& m);

struct DecodedRecords {
  std::vector<Message> messages;
  std::size_t valid_bytes = 0;  // bytes of whole, intact records from the start
};

// The records at the start of `bytes`, up to the first one that is torn or damaged.
DecodedRecords decode_records(std::string_view bytes);

// The segment files beside a database: appends go to the newest; rotate() starts a new one so
// that the older ones can be deleted once what they hold is indexed. Used by one thread at a
// time (UnindexedMessages holds its lock around every call but remove_files(), which touches
// nothing of the object).
class MessageLog {
 public:
  // `db_path`: the database file; segments are `<db_path>-msglog-<n>`. `sync`: fdatasync after
  // every append (the store's Durability::Full).
  MessageLog(std::string db_path, bool sync);
  MessageLog(const MessageLog&) = delete;
  MessageLog& operator=(const MessageLog&) = delete;
  ~MessageLog();

  // The messages of every segment left by an earlier run, oldest first (a torn tail ends its
  // segment). Call before the first append.
  std::vector<Message> read_existing() const;
  // Deletes every segment older than the current one (and, before the first append, the ones
  // left by an earlier run once they are stored).
  void remove_older_segments();
  // The same in two steps, so that the deleting can happen outside the caller's lock: forgets
  // the older segments and returns their paths, for remove_files().
  std::vector<std::string> detach_older_segments();
  static void remove_files(const std::vector<std::string>& paths);

  // Writes `records` (append_record's output) at the end of the current segment, then syncs it
  // when `sync`. Throws StoreFailure; a failed write leaves the segment as it was.
  void append(std::string_view records);
  // Later appends go to a new segment (when the current one holds anything).
  void rotate();

 private:
  std::string directory() const;
  std::vector<std::uint64_t> segments_on_disk() const;
  std::string segment_path(std::uint64_t n) const;
  void open_segment(std::uint64_t n);

  std::string db_path_;
  bool sync_;
  std::uint64_t current_ = 0;
  std::uint64_t oldest_ = 0;  // the oldest segment that may still be on disk
  int fd_ = -1;
  std::uint64_t size_ = 0;  // bytes written to the current segment
};

}  // namespace cz::store::sqlite
