#include "store/sqlite/appender.hpp"

#include <fmt/format.h>

#include "store/rules.hpp"
#include "store/sqlite/backend.hpp"
#include "store/sqlite/message_log.hpp"
#include "util/ids.hpp"

namespace cz::store::sqlite {

Appender::Appender(std::unique_ptr<Connection> reads, UnindexedMessages& unindexed,
                   std::size_t flush_threshold, std::size_t max_waiting,
                   std::chrono::milliseconds max_wait, std::function<void()> ask_flush,
                   bool hold_snapshot)
    : reads_(std::move(reads)),
      unindexed_(unindexed),
      flush_threshold_(flush_threshold),
      max_waiting_(max_waiting),
      max_wait_(max_wait),
      ask_flush_(std::move(ask_flush)),
      hold_snapshot_(hold_snapshot) {}

void Appender::release_snapshot() noexcept {
  if (!snapshot_open_) return;
  snapshot_open_ = false;
  reads_->rollback();  // a read transaction: nothing to keep
}

void Appender::read_as_of(std::uint64_t generation) {
  if (snapshot_open_ && snapshot_generation_ == generation) return;
  release_snapshot();
  // Deferred: the snapshot is taken by the first read, after the caller read `generation`, so
  // it includes every commit of that generation (they happened before it was counted).
  reads_->exec("BEGIN");
  snapshot_open_ = true;
  snapshot_generation_ = generation;
}

const Appender::Members* Appender::members_of(const std::string& room_id) {
  if (auto it = members_.find(room_id); it != members_.end()) return &it->second;
  // A held snapshot may be older than the room: look in a new one (rooms are created by the
  // writer, which does not move the index generation).
  release_snapshot();
  Query q = reads_->query("SELECT buyer, seller FROM rooms WHERE id = ?1");
  q.bind(1, room_id);
  if (!q.step()) return nullptr;  // not cached: the room may be created later
  // Bounded (~100 bytes a room): a marketplace has more rooms than are active at once.
  if (members_.size() >= kMaxCachedRooms) members_.clear();
  return &members_.emplace(room_id, Members{q.text(0), q.text(1)}).first->second;
}

std::optional<Message> Appender::stored_with_client_id(const Message& m) {
  for (const Message& s : staged_) {
    if (s.client_message_id == m.client_message_id && s.from == m.from && s.room_id == m.room_id)
      return s;
  }
  // Waiting messages first, then the table (unindexed.hpp says why the order matters), in a
  // snapshot that sees every message that had left the waiting ones when we looked there.
  std::uint64_t generation = 0;
  if (auto waiting =
          unindexed_.find_by_client_id(m.room_id, m.from, m.client_message_id, &generation))
    return waiting;
  try {
    if (hold_snapshot_) read_as_of(generation);
    return Backend::find_by_client_id(*reads_, m);
  } catch (...) {
    release_snapshot();
    throw;
  }
}

// Closed-loop clients outran the writer's indexing at ~60,000 msg/s (bench/RESULTS.md,
// 2026-12-04): refusing at once turned a moment of overload into errors for clients; waiting
// slows them down instead, as TCP would.
bool Appender::room_for_one_more() {
  if (unindexed_.count() + staged_.size() < max_waiting_) return true;
  if (staged_.size() >= max_waiting_ || max_wait_.count() == 0) return false;
  ask_flush_();  // the writer may be idle with messages waiting below its threshold
  return unindexed_.wait_until_below(max_waiting_ - staged_.size(), max_wait_);
}

Result<InsertMessageResult> Appender::insert(const NewMessage& msg) {
  if (!room_for_one_more()) {
    return make_error(kStoreUnavailable,
                      fmt::format("store overloaded: {} messages wait to be indexed",
                                  unindexed_.count() + staged_.size()));
  }
  const Members* members = members_of(msg.room_id);
  if (!members) return room_not_found(msg.room_id);
  const bool members_match = (msg.from == members->buyer && msg.to == members->seller) ||
                             (msg.from == members->seller && msg.to == members->buyer);
  if (!members_match) {
    return make_error(kForbidden, "sender and receiver must be the two members of the room");
  }
  GeneratedId id = generate_id();
  Message m{std::move(id.id), msg.room_id,           msg.from, msg.to,     msg.type,
            msg.content,      msg.client_message_id, false,    id.time_ms, id.time_ms};
  if (!m.client_message_id.empty()) {
    // A retry (the client id is taken) gets the stored message back.
    if (auto stored = stored_with_client_id(m))
      return InsertMessageResult{std::move(*stored), true};
  }
  append_record(records_, m);
  record_ends_.push_back(records_.size());
  staged_.push_back(m);
  ++staged_total_;
  return InsertMessageResult{std::move(m), false};
}

void Appender::commit() {
  in_batch_ = false;
  if (staged_.empty()) return;
  const bool ask = unindexed_.publish(staged_, records_, flush_threshold_);
  unstage_from(0);
  if (ask) ask_flush_();
}

void Appender::rollback() noexcept {
  in_batch_ = false;
  unstage_from(0);
}

void Appender::unstage_from(std::size_t n) {
  staged_.resize(n);
  records_.resize(n == 0 ? 0 : record_ends_[n - 1]);
  record_ends_.resize(n);
}

}  // namespace cz::store::sqlite
