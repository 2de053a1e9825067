// Message primitives. insert_message is the hot path: in a batch's first pass the batch's
// messages are one pipelined statement (kInsertMessages over arrays); a batch run again under
// savepoints runs the same statement with one message at a time.
#include <fmt/format.h>

#include <limits>

#include "store/postgres/backend.hpp"
#include "store/postgres/rows.hpp"
#include "store/rules.hpp"

namespace cz::store::postgres {

// Messages in one statement (Connection::defer_row / query_row: each column an array, element i
// of each is message i): check membership, insert (unless a retry of a stored client id), and
// update each room once. ON CONFLICT: a retry of a stored client id — also one that another
// node stores at this very moment, or an earlier message of the same statement — inserts
// nothing. Rows are inserted in the given order (ORDER BY ord), so their `seq` identity follows
// the order the messages were taken in. In a room's update: both sides' last message is the
// statement's last one in that room; the receivers' unread counts grow by the messages to each
// side, in SQL (atomic under the row lock, so nodes writing at once never lose a count); the
// room reappears for a side that had deleted it; the last message's sender has seen it.
// Answers: messages inserted, rooms updated, and (what one message's refusal needs) whether a
// room was found and, for it, the sender's side (NULL: the two are not its members).
const RowsStatement kInsertMessages{R"sql(
WITH input AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                       $7::text[], $8::bigint[])
    WITH ORDINALITY AS i (id, room_id, sender, recipient, type, content, client_message_id,
                          created_at, ord)
), checked AS (
  SELECT i.*, CASE WHEN r.buyer = i.sender AND r.seller = i.recipient THEN 'buyer'
                   WHEN r.seller = i.sender AND r.buyer = i.recipient THEN 'seller' END AS side
  FROM input i JOIN rooms r ON r.id = i.room_id
), ins AS (
  INSERT INTO messages (id, room_id, sender, recipient, type, content, client_message_id,
                        is_seen, created_at, updated_at)
  SELECT id, room_id, sender, recipient, type, content, client_message_id, false, created_at,
         created_at
  FROM checked WHERE side IS NOT NULL ORDER BY ord
  ON CONFLICT (sender, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
  RETURNING id
), last_in_room AS (
  SELECT DISTINCT ON (c.room_id) c.room_id, c.id, c.side, c.created_at,
         count(*) FILTER (WHERE c.side = 'seller') OVER per_room AS to_buyer,
         count(*) FILTER (WHERE c.side = 'buyer') OVER per_room AS to_seller
  FROM checked c JOIN ins USING (id)
  WINDOW per_room AS (PARTITION BY c.room_id)
  ORDER BY c.room_id, c.ord DESC
), upd AS (
  UPDATE rooms r SET
    buyer_last_message_id = l.id, seller_last_message_id = l.id,
    buyer_last_seen = (l.side = 'buyer'), seller_last_seen = (l.side = 'seller'),
    buyer_unseen = r.buyer_unseen + l.to_buyer, seller_unseen = r.seller_unseen + l.to_seller,
    deleted_by_buyer = false, deleted_by_seller = false, updated_at = l.created_at
  FROM last_in_room l WHERE r.id = l.room_id
  RETURNING 1
)
SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM upd), EXISTS (SELECT 1 FROM checked),
       (SELECT side FROM checked LIMIT 1)
)sql",
                                    8};

InsertAttempt Backend::insert_message(Connection& db, const Message& m) {
  // The id is a key only: order comes from the row's position (tx, seq; see list_messages).
  const std::string created_at = std::to_string(m.created_at);
  const RowValue row[] = {m.id,
                          m.room_id,
                          m.from,
                          m.to,
                          message_type_name(m.type),
                          m.content,
                          m.client_message_id.empty() ? RowValue() : RowValue(m.client_message_id),
                          created_at};
  if (db.can_defer()) {
    // Pipelined (the batch's first, savepoint-free pass): almost every insert is stored; one
    // that is not (a retry, a wrong room) makes the batch run again, unpipelined, where this
    // function sees the answer and tells why.
    db.defer_row(kInsertMessages, row);
    return InsertAttempt::Stored;
  }
  PgResult r = db.query_row(kInsertMessages, row);
  const std::int64_t inserted = r.integer(0, 0);
  db.note_changes(2 * inserted);  // a SELECT over data-modifying CTEs: not in its tag
  if (inserted == 1) return InsertAttempt::Stored;
  if (!r.boolean(0, 2)) return InsertAttempt::NoRoom;
  if (r.is_null(0, 3)) return InsertAttempt::NotMembers;
  return InsertAttempt::Taken;
}

std::optional<Message> Backend::find_by_client_id(Connection& db, const Message& m) {
  static const std::string sql =
      "SELECT " + message_columns() + " FROM messages WHERE sender = $1 AND client_message_id = $2";
  PgResult r = db.query(sql, Params().add(m.from).add(m.client_message_id));
  if (r.rows() == 0) return std::nullopt;
  return read_message(PgRow{r, 0});
}

std::vector<std::string> Backend::mark_seen(Connection& db, const Room& room, Role side,
                                            const std::string& reader,
                                            const std::optional<std::vector<std::string>>& ids,
                                            TimeMs now) {
  const std::string& room_id = room.id;
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

  // Recount rather than reset: when only some ids were marked, the rest stay unread.
  static const SideSql recount(
      "UPDATE rooms SET {side}_unseen = (SELECT count(*) FROM messages "
      "WHERE room_id = $1 AND recipient = $2 AND NOT is_seen), updated_at = $3 WHERE id = $1");
  db.query(recount[side], Params().add(room_id).add(reader).add(now));
  static const SideSql last_seen(
      "UPDATE rooms SET {side}_last_seen = true WHERE id = $1 AND {side}_unseen = 0");
  db.query(last_seen[side], Params().add(room_id));
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

std::vector<Message> Backend::list_messages(Connection& db, const MessageQuery& query) {
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
  params.add(page_limit(query.limit));
  params.add(query.before.value_or(std::numeric_limits<std::int64_t>::max()));
  params.add(cursor_time(query.cursor_id));
  return read_messages(
      db.query(query.order == Order::OldestFirst ? oldest_first : newest_first, params));
}

std::vector<Message> Backend::sync_messages(Connection& db, const SyncQuery& query) {
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
  params.add(query.user_id).add(cursor).add(page_limit(query.limit));
  params.add(query.since_time.value_or(std::numeric_limits<std::int64_t>::min()));
  params.add(cursor_time(query.since_id));
  return read_messages(db.query(sql, params));
}

std::optional<Message> Backend::find_message(Connection& db, const std::string& message_id) {
  static const std::string sql = "SELECT " + message_columns() + " FROM messages WHERE id = $1";
  PgResult r = db.query(sql, Params().add(message_id));
  if (r.rows() == 0) return std::nullopt;
  return read_message(PgRow{r, 0});
}

void Backend::update_content(Connection& db, const Message& m) {
  db.query("UPDATE messages SET content = $2, updated_at = $3 WHERE id = $1",
           Params().add(m.id).add(m.content).add(m.updated_at));
}

}  // namespace cz::store::postgres
