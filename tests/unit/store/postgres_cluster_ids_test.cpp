// Message ids with several nodes on one PostgreSQL: id order must be commit order cluster-wide,
// or `sync {since: <last id>}` misses a message that one node drew an id for before another
// node's larger id was committed and read. Two stores on one database play the two nodes.
#include <libpq-fe.h>

#include <chrono>
#include <future>
#include <set>

#include "store_test_support.hpp"
#include "util/ids.hpp"

namespace cz::store::testing {
namespace {

using namespace std::chrono_literals;

class PostgresClusterIdsTest : public StoreTest {
 protected:
  std::string db_name() const { return pg_url_.substr(pg_url_.rfind('/') + 1); }
  std::unique_ptr<postgres::PostgresStore> open_node() {
    return std::make_unique<postgres::PostgresStore>(pg_options());
  }
  std::vector<Message> sync(Store& s, const std::string& user, std::optional<std::string> since) {
    auto q = sync_of(user, std::move(since));
    auto r = wait<std::vector<Message>>([&](auto done) { s.sync_messages(q, done); });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : std::vector<Message>{};
  }
};
INSTANTIATE_TEST_SUITE_P(, PostgresClusterIdsTest, ::testing::Values(Backend::Postgres),
                         backend_name);

// A raw session that holds a row lock of `rooms` until release(): it stalls a node's write
// transaction after that node has drawn its message id, as a slow commit would.
class RowLockHolder {
 public:
  RowLockHolder(const std::string& url, const std::string& room_id)
      : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_));
    run("BEGIN");
    const char* params[] = {room_id.c_str()};
    PGresult* r = PQexecParams(conn_, "SELECT 1 FROM rooms WHERE id = $1 FOR UPDATE", 1, nullptr,
                               params, nullptr, nullptr, 0);
    const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    if (!ok) throw std::runtime_error("cannot lock the room row");
  }
  ~RowLockHolder() {
    release();
    PQfinish(conn_);
  }
  void release() {
    if (!released_) run("COMMIT");
    released_ = true;
  }

 private:
  void run(const char* sql) {
    PGresult* r = PQexec(conn_, sql);
    PQclear(r);
  }
  PGconn* conn_;
  bool released_ = false;
};

TEST_P(PostgresClusterIdsTest, SyncCursorMissesNothingWhenAnEarlierIdCommitsLate) {
  const Room slow_room = make_room("u", "s1");
  const Room fast_room = make_room("u", "s2");
  auto node_a = open_node();
  auto node_b = open_node();

  // Node A draws its id, then waits on the held room row before it can commit.
  RowLockHolder lock(pg_url_, slow_room.id);
  std::promise<Result<InsertMessageResult>> a_done, b_done;
  node_a->insert_message(NewMessage{slow_room.id, "s1", "u", MessageType::Text, "from A", ""},
                         [&](Result<InsertMessageResult> r) { a_done.set_value(std::move(r)); });
  std::this_thread::sleep_for(300ms);
  // Node B writes a message for the same user in another room; its id is larger.
  node_b->insert_message(NewMessage{fast_room.id, "s2", "u", MessageType::Text, "from B", ""},
                         [&](Result<InsertMessageResult> r) { b_done.set_value(std::move(r)); });
  auto b_future = b_done.get_future();
  b_future.wait_for(1s);

  // A client syncs meanwhile and keeps the last id it got as its cursor.
  std::set<std::string> seen;
  std::optional<std::string> cursor;
  for (const auto& m : sync(*store_, "u", cursor)) seen.insert(m.content), cursor = m.id;

  lock.release();
  auto a = a_done.get_future().get();
  auto b = b_future.get();
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_LT(a->message.id, b->message.id) << "B committed after A, so its id is larger";

  for (const auto& m : sync(*store_, "u", cursor)) seen.insert(m.content);
  EXPECT_EQ(seen, (std::set<std::string>{"from A", "from B"}))
      << "the cursor skipped a message committed after a larger id was read";
}

TEST_P(PostgresClusterIdsTest, AnOpenedStoreDrawsIdsAboveTheStoredOnes) {
  // A stored id from a little ahead (another node with a fast clock, or this node before its
  // clock stepped back): once a store has opened the database, new ids are larger. (Built
  // without the generator, which would otherwise have been advanced by drawing it.)
  const Room room = make_room("u", "s");
  const std::string ahead = id_floor_for_time(now_ms() + 2000);
  PostgresServer::shared().sql(
      db_name(),
      "INSERT INTO messages (id, room_id, sender, recipient, type, content, "
      "created_at, updated_at) VALUES ('" +
          ahead + "', '" + room.id + "', 's', 'u', 'TEXT', 'x', 0, 0)");
  auto node = open_node();
  EXPECT_GT(generate_id().id, ahead);
}

}  // namespace
}  // namespace cz::store::testing
