// Message primitives. insert_message is the hot path: a handful of cached statements inside the
// writer's batch transaction.
#include <fmt/format.h>

#include <optional>
#include <utility>

#include "store/rules.hpp"
#include "store/sqlite/backend.hpp"
#include "store/sqlite/rows.hpp"
#include "store/sqlite/unindexed.hpp"

namespace cz::store::sqlite {
namespace {

// Whether `m`'s sender and recipient are the two members of its room.
std::optional<InsertAttempt> check_members(Connection& db, const Message& m) {
  Query q = db.query("SELECT buyer, seller FROM rooms WHERE id = ?1");
  q.bind(1, m.room_id);
  if (!q.step()) return InsertAttempt::NoRoom;
  const std::string_view buyer = q.view(0), seller = q.view(1);
  if (m.from == buyer && m.to == seller) return std::nullopt;
  if (m.from == seller && m.to == buyer) return std::nullopt;
  return InsertAttempt::NotMembers;
}

std::vector<Message> read_messages(Query& q) {
  std::vector<Message> out;
  while (q.step()) out.push_back(read_message(q));
  return out;
}

// Moves the side's seen floor up to its oldest message still unread, or just past the room's
// last message when none is, so that unread counts scan only from there.
void move_seen_floor(Connection& db, const std::string& room_id, const std::string& reader,
                     Role side, TimeMs now) {
  static const SideSql oldest_unread(
      "SELECT m.created_at, m.id FROM messages m, rooms r WHERE r.id = ?1 AND m.room_id = ?1 "
      "AND (m.created_at, m.id) >= (coalesce(r.{side}_seen_at, -1), coalesce(r.{side}_seen_id, "
      "'')) AND m.recipient = ?2 AND m.is_seen = 0 ORDER BY m.created_at, m.id LIMIT 1");
  std::optional<std::pair<TimeMs, std::string>> floor;
  {
    Query q = db.query(oldest_unread[side]);
    q.bind(1, room_id).bind(2, reader);
    if (q.step()) floor.emplace(q.integer(0), q.text(1));
  }
  if (!floor) {
    Query q = db.query(
        "SELECT created_at, id FROM messages WHERE room_id = ?1 "
        "ORDER BY created_at DESC, id DESC LIMIT 1");
    q.bind(1, room_id);
    // Just past it: (t, id + "~") sorts after (t, id) and before any later message of ours.
    if (q.step()) floor.emplace(q.integer(0), q.text(1) + "~");
  }
  if (!floor) return;
  static const SideSql set(
      "UPDATE rooms SET {side}_seen_at = ?2, {side}_seen_id = ?3, updated_at = ?4 WHERE id = ?1");
  Query q = db.query(set[side]);
  q.bind(1, room_id).bind(2, floor->first).bind(3, floor->second).bind(4, now);
  q.run();
}

// The stored created_at of a cursor message (if it is stored).
std::optional<TimeMs> stored_time(Connection& db, const std::optional<std::string>& id) {
  if (!id) return std::nullopt;
  Query q = db.query("SELECT created_at FROM messages WHERE id = ?1");
  q.bind(1, *id);
  if (!q.step()) return std::nullopt;
  return q.integer(0);
}

// Inserts `m` unless its id, or its sender's client id in its room, is stored already.
// Returns whether it was inserted.
bool insert_row(Connection& db, const Message& m) {
  Query q = db.query(
      "INSERT INTO messages (id, room_id, sender, recipient, type, content, client_message_id, "
      "is_seen, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?8) "
      "ON CONFLICT DO NOTHING");
  q.bind(1, m.id).bind(2, m.room_id).bind(3, m.from).bind(4, m.to);
  q.bind(5, message_type_name(m.type)).bind(6, m.content);
  if (m.client_message_id.empty())
    q.bind_null(7);
  else
    q.bind(7, m.client_message_id);
  q.bind(8, m.created_at);
  q.run();
  return db.changes() != 0;
}

}  // namespace

InsertAttempt Backend::insert_message(Connection& db, const Message& m) {
  if (auto refused = check_members(db, m)) return *refused;
  // A retry (same room, sender and client_message_id) collides with messages_client_id and
  // inserts nothing; only then is the stored message looked up (a lookup per message before
  // every insert was a statement more per message for the rare retry).
  // Nothing else is written: the room's last message, unread counts and un-deleting follow from
  // its messages when the room is read (schema v3).
  return insert_row(db, m) ? InsertAttempt::Stored : InsertAttempt::Taken;
}

void store_logged_messages(Connection& db, const std::vector<Message>& messages) {
  for (const Message& m : messages) insert_row(db, m);
}

std::optional<Message> Backend::find_by_client_id(Connection& db, const Message& m) {
  static const std::string sql =
      "SELECT " + message_columns() +
      " FROM messages WHERE room_id = ?1 AND sender = ?2 AND client_message_id = ?3";
  Query q = db.query(sql);
  q.bind(1, m.room_id).bind(2, m.from).bind(3, m.client_message_id);
  if (!q.step()) return std::nullopt;
  return read_message(q);
}

std::vector<std::string> Backend::mark_seen(Connection& db, const Room& room, Role side,
                                            const std::string& reader,
                                            const std::optional<std::vector<std::string>>& ids,
                                            TimeMs now) {
  std::vector<std::string> changed;
  if (ids) {
    for (const std::string& id : *ids) {
      Query q = db.query(
          "UPDATE messages SET is_seen = 1, updated_at = ?4 "
          "WHERE room_id = ?2 AND id = ?1 AND recipient = ?3 AND is_seen = 0 RETURNING id");
      q.bind(1, id).bind(2, room.id).bind(3, reader).bind(4, now);
      while (q.step()) changed.push_back(q.text(0));
    }
  } else {
    static const SideSql all(
        "UPDATE messages SET is_seen = 1, updated_at = ?3 WHERE room_id = ?1 "
        "AND (created_at, id) >= (SELECT coalesce({side}_seen_at, -1), coalesce({side}_seen_id, "
        "'') FROM rooms WHERE id = ?1) AND recipient = ?2 AND is_seen = 0 RETURNING id");
    Query q = db.query(all[side]);
    q.bind(1, room.id).bind(2, reader).bind(3, now);
    while (q.step()) changed.push_back(q.text(0));
  }
  move_seen_floor(db, room.id, reader, side, now);
  return changed;
}

std::vector<Message> Backend::list_messages(Connection& db, const MessageQuery& query) {
  // Ranges of (created_at, id) on messages_by_room (room_id, created_at, id): see rules.hpp.
  std::optional<TimeMs> cursor_time;
  if (query.cursor_id)
    cursor_time = cursor_time_of(*query.cursor_id, stored_time(db, query.cursor_id));
  const auto range = page_key_range(query, cursor_time);
  if (!range) return {};
  static const std::string base = "SELECT " + message_columns() +
                                  " FROM messages WHERE room_id = ?1 AND (created_at, id) > (?2, "
                                  "?3) AND (created_at, id) < (?4, ?5) ";
  static const std::string oldest_first = base + "ORDER BY created_at ASC, id ASC LIMIT ?6";
  static const std::string newest_first = base + "ORDER BY created_at DESC, id DESC LIMIT ?6";
  Query q = db.query(query.order == Order::OldestFirst ? oldest_first : newest_first);
  q.bind(1, query.room_id).bind(2, range->lower.created_at).bind(3, range->lower.id);
  q.bind(4, range->upper.created_at).bind(5, range->upper.id);
  q.bind(6, page_limit(query.limit));
  return read_messages(q);
}

std::vector<Message> Backend::sync_messages(Connection& db, const SyncQuery& query) {
  // Every message of a room is between its two members, so "to or from the user" is "in one of
  // the user's rooms": one probe of messages_by_room per room (schema v2 keeps no per-user
  // message index, which each new message would have to update twice).
  std::optional<TimeMs> since_time;
  if (query.since_id) since_time = cursor_time_of(*query.since_id, stored_time(db, query.since_id));
  const auto bounds = sync_bounds(query, since_time);
  if (!bounds) return {};
  static const std::string sql = fmt::format(
      "SELECT {0} FROM messages WHERE room_id IN "
      "(SELECT id FROM rooms WHERE buyer = ?1 UNION SELECT id FROM rooms WHERE seller = ?1) "
      "AND (created_at, id) > (?2, ?3) AND created_at > ?4 ORDER BY created_at, id LIMIT ?5",
      message_columns());
  Query q = db.query(sql);
  q.bind(1, query.user_id).bind(2, bounds->lower.created_at).bind(3, bounds->lower.id);
  q.bind(4, bounds->time_floor).bind(5, page_limit(query.limit));
  return read_messages(q);
}

std::optional<Message> Backend::find_message(Connection& db, const std::string& message_id) {
  static const std::string sql = "SELECT " + message_columns() + " FROM messages WHERE id = ?1";
  Query q = db.query(sql);
  q.bind(1, message_id);
  if (!q.step()) return std::nullopt;
  return read_message(q);
}

void Backend::update_content(Connection& db, const Message& m) {
  Query q = db.query("UPDATE messages SET content = ?2, updated_at = ?3 WHERE id = ?1");
  q.bind(1, m.id).bind(2, m.content).bind(3, m.updated_at);
  q.run();
}

}  // namespace cz::store::sqlite
