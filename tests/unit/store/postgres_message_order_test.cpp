// Message order with several nodes on one PostgreSQL and no cluster-wide lock
// (store/README.md, "Message order"): a reader that pages with `sync` (each page's last id as the
// next cursor) must never skip a message, even one whose transaction began before another node's
// and commits after it. Two stores on one database play the two nodes; a third store reads.
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <set>

#include "store/postgres/backend.hpp"
#include "store_test_support.hpp"
#include "util/ids.hpp"

namespace cz::store::testing {
namespace {

using namespace std::chrono_literals;

class PostgresMessageOrderTest : public StoreTest {
 protected:
  std::string db_name() const { return pg_url_.substr(pg_url_.rfind('/') + 1); }
  std::unique_ptr<postgres::PostgresStore> open_node() {
    return std::make_unique<postgres::PostgresStore>(pg_options());
  }
  std::vector<Message> sync(Store& s, const std::string& user, std::optional<std::string> since,
                            std::size_t limit = 100) {
    auto q = sync_of(user, std::move(since), std::nullopt, limit);
    auto r = wait<std::vector<Message>>([&](auto done) { s.sync_messages(q, done); });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : std::vector<Message>{};
  }
  // One `sync` page after `cursor`; moves the cursor to its last message, as clients do.
  std::vector<Message> next_page(Store& s, const std::string& user,
                                 std::optional<std::string>& cursor, std::size_t limit = 100) {
    auto page = sync(s, user, cursor, limit);
    if (!page.empty()) cursor = page.back().id;
    return page;
  }
};
INSTANTIATE_TEST_SUITE_P(, PostgresMessageOrderTest, ::testing::Values(Backend::Postgres),
                         backend_name);

// A raw session that holds a row lock of `rooms` until release(): a node's write transaction
// that has inserted its message waits on it before it can commit, as a slow commit would.
class RowLockHolder {
 public:
  explicit RowLockHolder(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn_));
  }
  ~RowLockHolder() {
    release();
    PQfinish(conn_);
  }
  void lock(const std::string& room_id) {
    run("BEGIN");
    const char* params[] = {room_id.c_str()};
    PGresult* r = PQexecParams(conn_, "SELECT 1 FROM rooms WHERE id = $1 FOR UPDATE", 1, nullptr,
                               params, nullptr, nullptr, 0);
    const bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
    PQclear(r);
    if (!ok) throw std::runtime_error("cannot lock the room row");
    held_ = true;
  }
  void release() {
    if (held_) run("COMMIT");
    held_ = false;
  }

 private:
  void run(const char* sql) { PQclear(PQexec(conn_, sql)); }
  PGconn* conn_;
  bool held_ = false;
};

using Outcome = std::future<Result<InsertMessageResult>>;
Outcome insert(Store& node, const Room& room, const std::string& content) {
  auto done = std::make_shared<std::promise<Result<InsertMessageResult>>>();
  auto future = done->get_future();
  node.insert_message(NewMessage{room.id, room.seller, room.buyer, MessageType::Text, content, ""},
                      [done](Result<InsertMessageResult> r) { done->set_value(std::move(r)); });
  return future;
}

TEST_P(PostgresMessageOrderTest, SyncPagingMissesNothingWhenAnEarlierTransactionCommitsLate) {
  const Room slow_room = make_room("u", "s1");
  const Room fast_room = make_room("u", "s2");
  auto node_a = open_node();
  auto node_b = open_node();
  ASSERT_TRUE(insert(*node_b, fast_room, "first").get().ok());
  std::optional<std::string> cursor;
  ASSERT_EQ(next_page(*store_, "u", cursor).size(), 1u);

  // Node A's transaction inserts its message, then waits on the held room row. Node B's
  // transaction begins after it and commits first.
  RowLockHolder holder(pg_url_);
  holder.lock(slow_room.id);
  Outcome a = insert(*node_a, slow_room, "from A, committed late");
  ASSERT_EQ(a.wait_for(300ms), std::future_status::timeout) << "A should wait on the row lock";
  Outcome b = insert(*node_b, fast_room, "from B, committed first");
  auto b_result = b.get();
  ASSERT_TRUE(b_result.ok()) << b_result.error().message;

  // B's message is committed, but it sits above the oldest transaction in flight (A's): a page
  // now must not hand it out, or its id would become a cursor past A's message.
  EXPECT_TRUE(next_page(*store_, "u", cursor).empty());

  holder.release();
  auto a_result = a.get();
  ASSERT_TRUE(a_result.ok()) << a_result.error().message;
  std::vector<std::string> got;
  for (const Message& m : next_page(*store_, "u", cursor)) got.push_back(m.content);
  EXPECT_EQ(got, (std::vector<std::string>{"from A, committed late", "from B, committed first"}))
      << "position order is transaction order; nothing is skipped";
  EXPECT_TRUE(next_page(*store_, "u", cursor).empty());
}

TEST_P(PostgresMessageOrderTest, ConcurrentNodesWithStalledCommitsAndAPagingReaderLoseNothing) {
  // Two nodes write to one user from their own rooms; one node's commits are stalled at random
  // by a row lock, so its transactions often commit after the other's later ones. A reader pages
  // through `sync` all along, with small pages. Every acknowledged message must be read exactly
  // once.
  const Room room_a = make_room("u", "sa");
  const Room room_b = make_room("u", "sb");
  auto node_a = open_node();
  auto node_b = open_node();
  constexpr int kPerNode = 150;

  std::atomic<bool> writing{true};
  std::thread staller([&] {
    RowLockHolder holder(pg_url_);
    std::mt19937 rng(7);
    while (writing) {
      holder.lock(room_a.id);
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 8));
      holder.release();
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 4));
    }
  });
  auto write_all = [&](Store& node, const Room& room, const std::string& tag) {
    std::vector<Outcome> pending;
    for (int i = 0; i < kPerNode; ++i) {
      pending.push_back(insert(node, room, tag + std::to_string(i)));
      if (i % 8 == 7) std::this_thread::sleep_for(1ms);  // several transactions, not one
    }
    std::set<std::string> acked;
    for (Outcome& o : pending) {
      auto r = o.get();
      EXPECT_TRUE(r.ok()) << r.error().message;
      if (r.ok()) acked.insert(r->message.id);
    }
    return acked;
  };
  auto acked_a = std::async(std::launch::async, [&] { return write_all(*node_a, room_a, "a"); });
  auto acked_b = std::async(std::launch::async, [&] { return write_all(*node_b, room_b, "b"); });

  std::map<std::string, int> read_count;
  std::optional<std::string> cursor;
  auto read_pages = [&] {
    for (const Message& m : next_page(*store_, "u", cursor, 7)) ++read_count[m.id];
  };
  std::set<std::string> acked;
  for (auto* f : {&acked_a, &acked_b}) {
    while (f->wait_for(0ms) != std::future_status::ready) read_pages();
    for (const std::string& id : f->get()) acked.insert(id);
  }
  writing = false;
  staller.join();
  for (;;) {  // the rest, now that nothing is in flight
    const std::size_t before = read_count.size();
    read_pages();
    if (read_count.size() == before) break;
  }

  ASSERT_EQ(acked.size(), 2u * kPerNode);
  for (const std::string& id : acked) {
    EXPECT_EQ(read_count[id], 1) << "message " << id << " read " << read_count[id] << " times";
  }
  EXPECT_EQ(read_count.size(), acked.size());
}

TEST_P(PostgresMessageOrderTest, ADatabaseOfVersionOneKeepsItsOrderAfterTheMigration) {
  // Messages stored by a build of schema version 1 (id order was commit order then): after the
  // migration they sit, in id order, below everything written later, and their ids still work
  // as cursors.
  store_.reset();
  const std::string url = PostgresServer::shared().create_database();
  const std::string name = url.substr(url.rfind('/') + 1);
  {
    postgres::Connection db(postgres::ConnectionOptions{url, "v1"});
    postgres::Backend::apply_migrations(db, postgres::Backend::schema_migrations().first(1));
  }
  PostgresServer::shared().sql(
      name,
      "INSERT INTO rooms (id, type, creator, buyer, seller, shop_id, shop_json, buyer_info_json, "
      "created_at, updated_at) VALUES ('r', 'shop', 'u', 'u', 's', 'shop', '{}', '{}', 0, 0); "
      "INSERT INTO messages (id, room_id, sender, recipient, type, content, created_at, "
      "updated_at) VALUES ('01AAAAAAAAAAAAAAAAAAAAAAA2', 'r', 's', 'u', 'TEXT', 'old 2', 1, 1), "
      "('01AAAAAAAAAAAAAAAAAAAAAAA1', 'r', 's', 'u', 'TEXT', 'old 1', 1, 1)");

  auto o = pg_options();
  o.url = url;
  postgres::PostgresStore node(o);
  auto r = wait<InsertMessageResult>([&](auto done) {
    node.insert_message(NewMessage{"r", "s", "u", MessageType::Text, "new", ""}, done);
  });
  ASSERT_TRUE(r.ok()) << r.error().message;

  std::vector<std::string> all;
  for (const Message& m : sync(node, "u", std::nullopt)) all.push_back(m.content);
  EXPECT_EQ(all, (std::vector<std::string>{"old 1", "old 2", "new"}));
  std::vector<std::string> after_first;
  for (const Message& m : sync(node, "u", "01AAAAAAAAAAAAAAAAAAAAAAA1"))
    after_first.push_back(m.content);
  EXPECT_EQ(after_first, (std::vector<std::string>{"old 2", "new"}));
}

TEST_P(PostgresMessageOrderTest, AnUnknownCursorIdMeansMessagesWithALargerId) {
  // A cursor id of ours that is not stored (from another deployment, or made up) keeps the id
  // meaning: it is placed by the time in it, as on SQLite.
  const Room room = make_room("u", "s");
  const Message m1 = sent(room.id, "s", "u", "one");
  const Message m2 = sent(room.id, "s", "u", "two");
  auto all = sync(*store_, "u", id_floor_for_time(1));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, m1.id);
  EXPECT_EQ(all[1].id, m2.id);
  EXPECT_TRUE(sync(*store_, "u", id_floor_for_time(now_ms() + 86'400'000)).empty());
}

TEST_P(PostgresMessageOrderTest, ImportedMessagesSortBelowEveryLiveOneByTimeThenId) {
  // Imported messages (tx 0, seq = created_at) come before every live message, even one stored
  // before the import and older than some of them, and among themselves by (created_at, id);
  // their ids work as cursors, and a cursor that cannot be placed gives nothing.
  const Room room = make_room("u", "s");
  const Message live = sent(room.id, "s", "u", "live");
  auto imported = [&](const std::string& id, TimeMs at) {
    Message m;
    m.id = id;
    m.room_id = room.id;
    m.from = "s";
    m.to = "u";
    m.content = id;
    m.created_at = m.updated_at = at;
    return m;
  };
  const Message later = imported("ckaaaaaaa0000aaaaaaaaaaaa", live.created_at + 60'000);
  const Message tie_b = imported("ckbbbbbbb0000aaaaaaaaaaaa", 1'000);
  const Message tie_a = imported("65a1b2c3d4e5f60718293a4b", 1'000);  // an ObjectId
  ImportBatch batch;
  batch.messages = {later, tie_b, tie_a};
  auto r = wait<ImportBatchResult>([&](auto done) { store_->import_batch(batch, done); });
  ASSERT_TRUE(r.ok()) << r.error().message;

  auto ids_of = [](const std::vector<Message>& page) {
    std::vector<std::string> out;
    for (const Message& m : page) out.push_back(m.id);
    return out;
  };
  const std::vector<std::string> in_order = {tie_a.id, tie_b.id, later.id, live.id};
  EXPECT_EQ(ids_of(sync(*store_, "u", std::nullopt)), in_order);
  EXPECT_EQ(ids_of(sync(*store_, "u", tie_a.id)),
            (std::vector<std::string>{tie_b.id, later.id, live.id}));
  EXPECT_EQ(ids_of(sync(*store_, "u", later.id)), std::vector<std::string>{live.id});
  EXPECT_TRUE(sync(*store_, "u", live.id).empty()) << "nothing imported comes after a live cursor";
  EXPECT_TRUE(sync(*store_, "u", "cnotstored0000aaaaaaaaaaaa").empty());

  auto page = [&](Order order, std::optional<std::string> cursor) {
    MessageQuery q;
    q.room_id = room.id;
    q.order = order;
    q.cursor_id = std::move(cursor);
    auto got = wait<std::vector<Message>>([&](auto done) { store_->list_messages(q, done); });
    EXPECT_TRUE(got.ok());
    return got.ok() ? ids_of(*got) : std::vector<std::string>{};
  };
  EXPECT_EQ(page(Order::OldestFirst, std::nullopt), in_order);
  EXPECT_EQ(page(Order::NewestFirst, std::nullopt),
            (std::vector<std::string>{live.id, later.id, tie_b.id, tie_a.id}));
  EXPECT_EQ(page(Order::NewestFirst, live.id),
            (std::vector<std::string>{later.id, tie_b.id, tie_a.id}));
  EXPECT_EQ(page(Order::NewestFirst, tie_b.id), std::vector<std::string>{tie_a.id});
}

}  // namespace
}  // namespace cz::store::testing
