// Message operations. insert_message is the hot path: a handful of prepared statements inside
// the writer's batch transaction.
#include <fmt/format.h>

#include <algorithm>

#include "store/postgres/ops.hpp"
#include "store/postgres/rows.hpp"
#include "store/rules.hpp"
#include "util/ids.hpp"

namespace cz::store::postgres {
namespace {

Error message_not_found(const std::string& id) {
  return make_error(kMessageNotFound, fmt::format("message {} not found", id));
}

std::int64_t page_size(std::size_t requested) {
  return static_cast<std::int64_t>(std::min(requested, kMaxPageSize));
}

std::optional<Message> find_by_client_id(Connection& db, const NewMessage& msg) {
  static const std::string sql =
      "SELECT " + message_columns() + " FROM messages WHERE sender = $1 AND client_message_id = $2";
  PgResult r = db.query(sql, Params().add(msg.from).add(msg.client_message_id));
  if (r.rows() == 0) return std::nullopt;
  return read_message(r, 0);
}

}  // namespace

// One round trip for the hot path: check membership, insert (unless a retry of a stored
// client id), and update the room, in one statement. In the room update: both sides' last
// message; the receiver's unread count, incremented in SQL (atomic under the row lock, so nodes
// writing at once never lose a count); the room reappears for a side that had deleted it. The
// sender's own copy of the last message counts as seen. ON CONFLICT: a retry of a stored client
// id — also one that another node stores at this very moment — inserts nothing.
const std::string kInsertMessageSql = R"sql(
WITH room AS (
  SELECT CASE WHEN buyer = $3::text AND seller = $4::text THEN 'buyer'
              WHEN seller = $3::text AND buyer = $4::text THEN 'seller' END AS side
  FROM rooms WHERE id = $2::text
), ins AS (
  INSERT INTO messages (id, room_id, sender, recipient, type, content, client_message_id,
                        is_seen, created_at, updated_at)
  SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, false,
         $8::bigint, $8::bigint
  FROM room WHERE side IS NOT NULL
  ON CONFLICT (sender, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
  RETURNING id
), upd AS (
  UPDATE rooms r SET
    buyer_last_message_id = ins.id, seller_last_message_id = ins.id,
    buyer_last_seen = (room.side = 'buyer'), seller_last_seen = (room.side = 'seller'),
    buyer_unseen = r.buyer_unseen + (room.side = 'seller')::int,
    seller_unseen = r.seller_unseen + (room.side = 'buyer')::int,
    deleted_by_buyer = false, deleted_by_seller = false, updated_at = $8::bigint
  FROM room, ins WHERE r.id = $2::text
  RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM room), (SELECT side FROM room), (SELECT count(*) FROM upd)
)sql";

Result<InsertMessageResult> insert_message(Connection& db, const NewMessage& msg) {
  const bool has_client_id = !msg.client_message_id.empty();
  // Drawn here, on the writer thread inside the transaction: this node hands ids out in commit
  // order, so a reader's "id > cursor" never misses a message this node commits later.
  GeneratedId id = generate_id();
  Message m{std::move(id.id), msg.room_id,           msg.from, msg.to,     msg.type,
            msg.content,      msg.client_message_id, false,    id.time_ms, id.time_ms};
  Params params;
  params.add(m.id).add(m.room_id).add(m.from).add(m.to).add(message_type_name(m.type));
  params.add(m.content);
  if (has_client_id)
    params.add(m.client_message_id);
  else
    params.add_null();
  params.add(m.created_at);
  PgResult r = db.query(kInsertMessageSql, params);
  if (r.integer(0, 2) == 1) return InsertMessageResult{std::move(m), false};

  // Not stored. A retry gets the stored message back, whatever else it says (as the SQLite
  // store, which looks the client id up first).
  if (has_client_id) {
    if (auto stored = find_by_client_id(db, msg)) {
      return InsertMessageResult{std::move(*stored), true};
    }
  }
  if (!r.boolean(0, 0)) {
    return make_error(kRoomNotFound, fmt::format("room {} not found", msg.room_id));
  }
  if (r.is_null(0, 1)) {
    return make_error(kForbidden, "sender and receiver must be the two members of the room");
  }
  return make_error(kStoreError, "message conflicted with one that then disappeared");
}

Result<std::vector<std::string>> mark_seen(Connection& db, const std::string& room_id,
                                           const std::string& reader,
                                           const std::optional<std::vector<std::string>>& ids) {
  auto room = load_room(db, room_id);
  if (!room) return make_error(kRoomNotFound, fmt::format("room {} not found", room_id));
  const auto side = room->side_of(reader);
  if (!side) return make_error(kForbidden, "only a member of the room can mark messages seen");

  const TimeMs now = now_ms();
  std::vector<std::string> changed;
  auto collect = [&](const PgResult& r) {
    for (int i = 0; i < r.rows(); ++i) changed.push_back(r.text(i, 0));
  };
  if (ids) {
    for (const std::string& id : *ids) {
      collect(
          db.query("UPDATE messages SET is_seen = true, updated_at = $4 "
                   "WHERE id = $1 AND room_id = $2 AND recipient = $3 AND NOT is_seen "
                   "RETURNING id",
                   Params().add(id).add(room_id).add(reader).add(now)));
    }
  } else {
    collect(
        db.query("UPDATE messages SET is_seen = true, updated_at = $3 "
                 "WHERE room_id = $1 AND recipient = $2 AND NOT is_seen RETURNING id",
                 Params().add(room_id).add(reader).add(now)));
  }
  std::sort(changed.begin(), changed.end());

  // Recount rather than reset: when only some ids were marked, the rest stay unread.
  static const SideSql recount(
      "UPDATE rooms SET {side}_unseen = (SELECT count(*) FROM messages "
      "WHERE room_id = $1 AND recipient = $2 AND NOT is_seen), updated_at = $3 WHERE id = $1");
  db.query(recount[*side], Params().add(room_id).add(reader).add(now));
  static const SideSql last_seen(
      "UPDATE rooms SET {side}_last_seen = true WHERE id = $1 AND {side}_unseen = 0");
  db.query(last_seen[*side], Params().add(room_id));
  return changed;
}

namespace {

// The stored created_at of a cursor message (if it is stored).
std::optional<TimeMs> stored_time(Connection& db, const std::optional<std::string>& id) {
  if (!id) return std::nullopt;
  PgResult r = db.query("SELECT created_at FROM messages WHERE id = $1", Params().add(*id));
  if (r.rows() == 0) return std::nullopt;
  return r.integer(0, 0);
}

}  // namespace

Result<std::vector<Message>> list_messages(Connection& db, const MessageQuery& query) {
  // Ranges of (created_at, id) on messages_by_room (room_id, created_at, id): see rules.hpp.
  std::optional<TimeMs> cursor_time;
  if (query.cursor_id)
    cursor_time = cursor_time_of(*query.cursor_id, stored_time(db, query.cursor_id));
  const auto range = page_key_range(query, cursor_time);
  if (!range) return std::vector<Message>();
  static const std::string base =
      "SELECT " + message_columns() +
      " FROM messages WHERE room_id = $1 AND (created_at, id) > ($2::bigint, $3::text) "
      "AND (created_at, id) < ($4::bigint, $5::text) ";
  static const std::string oldest_first = base + "ORDER BY created_at ASC, id ASC LIMIT $6";
  static const std::string newest_first = base + "ORDER BY created_at DESC, id DESC LIMIT $6";
  Params params;
  params.add(query.room_id).add(range->lower.created_at).add(range->lower.id);
  params.add(range->upper.created_at).add(range->upper.id).add(page_size(query.limit));
  return read_messages(
      db.query(query.order == Order::OldestFirst ? oldest_first : newest_first, params));
}

Result<std::vector<Message>> sync_messages(Connection& db, const SyncQuery& query) {
  std::optional<TimeMs> since_time;
  if (query.since_id) since_time = cursor_time_of(*query.since_id, stored_time(db, query.since_id));
  const auto bounds = sync_bounds(query, since_time);
  if (!bounds) return std::vector<Message>();
  // Each half walks its own index in (created_at, id) order and stops at the limit; the union
  // is re-sorted.
  static const std::string sql = fmt::format(
      "(SELECT {0} FROM messages WHERE recipient = $1 AND (created_at, id) > ($2::bigint, "
      "$3::text) AND created_at > $5 ORDER BY created_at, id LIMIT $4) "
      "UNION (SELECT {0} FROM messages WHERE sender = $1 AND (created_at, id) > ($2::bigint, "
      "$3::text) AND created_at > $5 ORDER BY created_at, id LIMIT $4) "
      "ORDER BY created_at, id LIMIT $4",
      message_columns());
  Params params;
  params.add(query.user_id).add(bounds->lower.created_at).add(bounds->lower.id);
  params.add(page_size(query.limit)).add(bounds->time_floor);
  return read_messages(db.query(sql, params));
}

Result<std::optional<Message>> get_message(Connection& db, const std::string& message_id) {
  static const std::string sql = "SELECT " + message_columns() + " FROM messages WHERE id = $1";
  PgResult r = db.query(sql, Params().add(message_id));
  if (r.rows() == 0) return std::optional<Message>();
  return std::optional<Message>(read_message(r, 0));
}

Result<Message> update_message_content(Connection& db, const std::string& message_id,
                                       const std::string& editor, const std::string& content) {
  auto found = get_message(db, message_id);
  if (!found.ok()) return found.error();
  if (!found.value()) return message_not_found(message_id);
  Message& m = **found;
  if (m.from != editor) return make_error(kForbidden, "only the sender can edit a message");
  m.content = content;
  m.updated_at = now_ms();
  db.query("UPDATE messages SET content = $2, updated_at = $3 WHERE id = $1",
           Params().add(m.id).add(m.content).add(m.updated_at));
  return std::move(m);
}

}  // namespace cz::store::postgres
