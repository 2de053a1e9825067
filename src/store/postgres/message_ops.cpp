// Message operations. insert_message is the hot path: a handful of prepared statements inside
// the writer's batch transaction.
#include <fmt/format.h>

#include <algorithm>
#include <limits>

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
  // The id is a key only: order comes from the row's position (tx, seq; see list_messages).
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
  if (db.can_defer()) {
    // Pipelined (the batch's first, savepoint-free pass): almost every insert is stored; one
    // that is not (a retry, a wrong room) makes the batch run again, unpipelined, where this
    // function sees the answer and tells why.
    db.defer(kInsertMessageSql, params,
             [](const PgResult& r) { return r.rows() == 1 && r.integer(0, 2) == 1; });
    return InsertMessageResult{std::move(m), false};
  }
  PgResult r = db.query(kInsertMessageSql, params);
  db.note_changes(2 * r.integer(0, 2));  // a SELECT over data-modifying CTEs: not in its tag
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

// Message order (store/README.md, "Message order"): a row's position (tx, seq, id), not its
// id. Live rows: tx is the transaction that wrote the row, seq its identity number (unique, so
// id never decides between them). Imported rows and rows of schema version 1: tx 0 and seq =
// created_at, so they sort below every live row and among themselves by (created_at, id), the
// order SQLite gives them. A read whose rows can become a cursor (oldest-first pages, sync)
// only returns rows below the horizon, the oldest transaction still in flight: whatever commits
// later has a transaction id at least that high, so it comes after the cursor (tx 0 is always
// below it).
//
// The cursor is a message id ($2, '' for none), resolved to its position. An id that is not
// stored here (another deployment's, made up) is placed by the time in it, as on SQLite
// (rules.hpp, cursor_time_of): rows after (before) it are those with a larger (smaller)
// (created_at, id), which for our ids is id order. $5 is that time; NULL for an id that has
// none (the original's cuids, ObjectIds), which cannot be placed: the answer is then empty (a
// row comparison with NULL is never true), as on SQLite.
// Columns of `c`: the cursor's position (or the end the direction starts from), its
// (created_at, id) key when it is not stored (else one that bounds nothing), and the horizon.
// The queries read them as scalar subqueries (kAfter, ...), computed once before the scan: so
// the position bound is an index condition (a join with `c` made it a filter over all the
// user's earlier rows).
const std::string kCursorSql = R"sql(
WITH c AS MATERIALIZED (
  SELECT coalesce(p.tx, '0'::xid8) AS after_tx,
         coalesce(p.seq, '-9223372036854775808'::bigint) AS after_seq,
         coalesce(p.id, '') AS after_id,
         coalesce(p.tx, '18446744073709551615'::xid8) AS before_tx,
         coalesce(p.seq, 9223372036854775807) AS before_seq, coalesce(p.id, '~') AS before_id,
         CASE WHEN p.tx IS NULL AND $2::text <> '' THEN $5::bigint
              ELSE '-9223372036854775808'::bigint END AS after_time,
         CASE WHEN p.tx IS NULL AND $2::text <> '' THEN $5::bigint
              ELSE 9223372036854775807 END AS before_time,
         CASE WHEN p.tx IS NULL THEN $2::text ELSE '' END AS after_key_id,
         CASE WHEN p.tx IS NULL AND $2::text <> '' THEN $2::text ELSE '~' END AS before_key_id,
         pg_snapshot_xmin(pg_current_snapshot()) AS horizon
  FROM (SELECT 1) one LEFT JOIN messages p ON p.id = $2::text
)
)sql";

constexpr const char* kAfter =
    "((SELECT after_tx FROM c), (SELECT after_seq FROM c), (SELECT after_id FROM c))";
constexpr const char* kBefore =
    "((SELECT before_tx FROM c), (SELECT before_seq FROM c), (SELECT before_id FROM c))";
constexpr const char* kHorizon = "(SELECT horizon FROM c)";
constexpr const char* kKeyAfter = "((SELECT after_time FROM c), (SELECT after_key_id FROM c))";
constexpr const char* kKeyBefore = "((SELECT before_time FROM c), (SELECT before_key_id FROM c))";

namespace {

// $5 of kCursorSql: the time in a cursor id of ours; nullopt (NULL) for none or another's id.
std::optional<TimeMs> cursor_time(const std::optional<std::string>& cursor_id) {
  return cursor_id ? cursor_time_of(*cursor_id, std::nullopt) : std::nullopt;
}

}  // namespace

Result<std::vector<Message>> list_messages(Connection& db, const MessageQuery& query) {
  // $4: only messages created before it (bigint max when absent).
  static const std::string oldest_first = fmt::format(
      "{}SELECT {} FROM messages m WHERE m.room_id = $1 AND (m.tx, m.seq, m.id) > {} "
      "AND m.tx < {} AND (m.created_at, m.id) > {} AND m.created_at < $4 "
      "ORDER BY m.tx, m.seq, m.id LIMIT $3",
      kCursorSql, message_columns("m"), kAfter, kHorizon, kKeyAfter);
  // Newest first reads history backwards: a message that commits later than the page was read
  // is newer than the page and reaches the client live, so no horizon.
  static const std::string newest_first = fmt::format(
      "{}SELECT {} FROM messages m WHERE m.room_id = $1 AND (m.tx, m.seq, m.id) < {} "
      "AND (m.created_at, m.id) < {} AND m.created_at < $4 "
      "ORDER BY m.tx DESC, m.seq DESC, m.id DESC LIMIT $3",
      kCursorSql, message_columns("m"), kBefore, kKeyBefore);
  const std::string cursor = query.cursor_id.value_or("");  // Params keeps a pointer to it
  Params params;
  params.add(query.room_id).add(cursor);
  params.add(page_size(query.limit));
  params.add(query.before.value_or(std::numeric_limits<std::int64_t>::max()));
  params.add(cursor_time(query.cursor_id));
  return read_messages(
      db.query(query.order == Order::OldestFirst ? oldest_first : newest_first, params));
}

Result<std::vector<Message>> sync_messages(Connection& db, const SyncQuery& query) {
  // Each half walks its own index in position order and stops at the limit; the union is
  // re-sorted. $4: created strictly after it (bigint min when absent).
  auto half = [](const char* who) {
    return fmt::format(
        "SELECT {}, m.tx, m.seq FROM messages m WHERE m.{} = $1 AND (m.tx, m.seq, m.id) > {} "
        "AND m.tx < {} AND (m.created_at, m.id) > {} AND m.created_at > $4 "
        "ORDER BY m.tx, m.seq, m.id LIMIT $3",
        message_columns("m"), who, kAfter, kHorizon, kKeyAfter);
  };
  static const std::string sql =
      fmt::format("{}SELECT {} FROM (({}) UNION ({})) u ORDER BY u.tx, u.seq, u.id LIMIT $3",
                  kCursorSql, message_columns("u"), half("recipient"), half("sender"));
  const std::string cursor = query.since_id.value_or("");  // Params keeps a pointer to it
  Params params;
  params.add(query.user_id).add(cursor).add(page_size(query.limit));
  params.add(query.since_time.value_or(std::numeric_limits<std::int64_t>::min()));
  params.add(cursor_time(query.since_id));
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
