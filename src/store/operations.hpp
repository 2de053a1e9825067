#pragma once
// Every Store operation, once for all backends: the rules (rules.hpp) around the backend's
// primitives (backend.hpp). Plain synchronous functions on one connection; StoreFront runs the
// writes on its writer thread (inside the batch transaction) and the reads on its readers. See
// store.hpp for what each one means.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/backend.hpp"  // B: a struct with CZ_STORE_BACKEND_PRIMITIVES
#include "store/rules.hpp"
#include "util/ids.hpp"
#include "util/time.hpp"

namespace cz::store::ops {

template <typename B>
using Conn = typename B::Connection;

// The room as it is after a one-row update that `matched` it, or ROOM_NOT_FOUND.
template <typename B>
Result<Room> updated_room(Conn<B>& db, const std::string& room_id, bool matched) {
  if (!matched) return room_not_found(room_id);
  auto room = B::load_room(db, room_id);
  if (!room) return room_not_found(room_id);
  return std::move(*room);
}

// create_room on a room that has the id already (found, or created meanwhile by another node).
template <typename B>
Result<CreateRoomResult> existing_room(Conn<B>& db, const CreateRoom& req, Room existing) {
  auto outcome = outcome_for_existing(req, existing);
  if (!outcome.ok()) return outcome.error();
  if (*outcome == CreateOutcome::Existed) return CreateRoomResult{std::move(existing), *outcome};
  auto room = updated_room<B>(db, existing.id, B::reenable_room(db, existing.id, now_ms()));
  if (!room.ok()) return room.error();
  return CreateRoomResult{std::move(room.value()), CreateOutcome::Reenabled};
}

template <typename B>
Result<CreateRoomResult> create_room(Conn<B>& db, const CreateRoom& req) {
  if (auto error = validate_create_room(req)) return std::move(*error);
  const std::string room_id = room_id_of(req.buyer, req.seller);
  if (auto existing = B::load_room(db, room_id)) {
    return existing_room<B>(db, req, std::move(*existing));
  }
  const bool inserted = B::insert_room(db, room_id, req, now_ms());
  auto room = B::load_room(db, room_id);
  if (!room) return room_not_found(room_id);
  if (!inserted) return existing_room<B>(db, req, std::move(*room));
  return CreateRoomResult{std::move(*room), CreateOutcome::Created};
}

template <typename B>
Result<std::optional<Room>> get_room(Conn<B>& db, const std::string& room_id) {
  return B::load_room(db, room_id);
}

template <typename B>
Result<std::vector<Room>> list_rooms(Conn<B>& db, const RoomQuery& query) {
  return B::list_rooms(db, query);
}

template <typename B>
Result<Room> enable_room(Conn<B>& db, const std::string& room_id, Role side) {
  return updated_room<B>(db, room_id, B::enable_side(db, room_id, side, now_ms()));
}

template <typename B>
Result<Room> set_pinned(Conn<B>& db, const std::string& room_id, Role side, bool pinned) {
  const TimeMs now = now_ms();
  const auto pinned_at = pinned ? std::optional<TimeMs>(now) : std::nullopt;
  return updated_room<B>(db, room_id, B::pin_side(db, room_id, side, pinned_at, now));
}

template <typename B>
Result<Room> delete_room_side(Conn<B>& db, const std::string& room_id, Role side) {
  return updated_room<B>(db, room_id, B::delete_side(db, room_id, side, now_ms()));
}

template <typename B>
Result<std::vector<UnreadCount>> unread_counts(Conn<B>& db, const std::string& user_id) {
  return B::unread_counts(db, user_id);
}

template <typename B>
Result<std::vector<std::string>> room_partners(Conn<B>& db, const std::string& user_id) {
  return B::room_partners(db, user_id);
}

// The hot path: one id drawn and one backend insert per message; a retry costs a look-up more.
template <typename B>
Result<InsertMessageResult> insert_message(Conn<B>& db, const NewMessage& msg) {
  // Drawn on the single writer thread inside the transaction (SQLite: id order is commit order;
  // PostgreSQL: the id is a key only, order is the row's position).
  GeneratedId id = generate_id();
  Message m{std::move(id.id), msg.room_id,           msg.from, msg.to,     msg.type,
            msg.content,      msg.client_message_id, false,    id.time_ms, id.time_ms};
  switch (B::insert_message(db, m)) {
    case InsertAttempt::Stored:
      return InsertMessageResult{std::move(m), false};
    case InsertAttempt::NoRoom:
      return room_not_found(m.room_id);
    case InsertAttempt::NotMembers:
      return make_error(kForbidden, "sender and receiver must be the two members of the room");
    case InsertAttempt::Taken:
      break;
  }
  // A retry (the client id is taken) gets the stored message back.
  if (!m.client_message_id.empty()) {
    if (auto stored = B::find_by_client_id(db, m)) {
      return InsertMessageResult{std::move(*stored), true};
    }
  }
  return make_error(kStoreError, "message was neither stored nor found stored");
}

template <typename B>
Result<std::vector<std::string>> mark_seen(Conn<B>& db, const std::string& room_id,
                                           const std::string& reader,
                                           const std::optional<std::vector<std::string>>& ids) {
  auto room = B::load_room(db, room_id);
  if (!room) return room_not_found(room_id);
  const auto side = room->side_of(reader);
  if (!side) return make_error(kForbidden, "only a member of the room can mark messages seen");
  std::vector<std::string> changed = B::mark_seen(db, *room, *side, reader, ids, now_ms());
  std::sort(changed.begin(), changed.end());
  return changed;
}

template <typename B>
Result<std::vector<Message>> list_messages(Conn<B>& db, const MessageQuery& query) {
  return B::list_messages(db, query);
}

template <typename B>
Result<std::vector<Message>> sync_messages(Conn<B>& db, const SyncQuery& query) {
  return B::sync_messages(db, query);
}

template <typename B>
Result<std::optional<Message>> get_message(Conn<B>& db, const std::string& message_id) {
  return B::find_message(db, message_id);
}

template <typename B>
Result<Message> update_message_content(Conn<B>& db, const std::string& message_id,
                                       const std::string& editor, const std::string& content) {
  auto found = B::find_message(db, message_id);
  if (!found) return message_not_found(message_id);
  Message& m = *found;
  if (m.from != editor) return make_error(kForbidden, "only the sender can edit a message");
  m.content = content;
  m.updated_at = now_ms();
  B::update_content(db, m);
  return std::move(m);
}

// An imported message: with its client_message_id if the sender's is free, else without it.
template <typename B>
ImportOutcome import_message(Conn<B>& db, const Message& m) {
  if (B::import_message(db, m, true)) return ImportOutcome::Imported;
  if (m.client_message_id.empty() || B::message_exists(db, m.id)) return ImportOutcome::Duplicate;
  B::import_message(db, m, false);
  return ImportOutcome::ImportedWithoutClientId;
}

template <typename B>
Result<ImportBatchResult> import_batch(Conn<B>& db, const ImportBatch& batch) {
  B::begin_import(db);
  auto dry_run_outcome = [](bool stored) {
    return stored ? ImportOutcome::Duplicate : ImportOutcome::Imported;
  };
  ImportBatchResult result;
  result.rooms.reserve(batch.rooms.size());
  result.messages.reserve(batch.messages.size());
  for (const Room& r : batch.rooms) {
    result.rooms.push_back(batch.dry_run           ? dry_run_outcome(B::room_exists(db, r.id))
                           : B::import_room(db, r) ? ImportOutcome::Imported
                                                   : ImportOutcome::Duplicate);
  }
  for (const Message& m : batch.messages) {
    result.messages.push_back(batch.dry_run ? dry_run_outcome(B::message_exists(db, m.id))
                                            : import_message<B>(db, m));
  }
  return result;
}

}  // namespace cz::store::ops
