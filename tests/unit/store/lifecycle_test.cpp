// Opening, migrations, persistence, group commit, backpressure and shutdown.
#include <sqlite3.h>

#include <filesystem>
#include <future>

#include "store/sqlite/backend.hpp"
#include "store_test_support.hpp"
#include "util/ids.hpp"

namespace cz::store::testing {
namespace {

// Behaviour every store has: runs against SQLite and PostgreSQL.
using LifecycleTest = StoreTest;
CZ_STORE_BACKENDS(LifecycleTest);

// SQLite's own schema handling (PostgreSQL's: postgres_lifecycle_test.cpp).
class SqliteLifecycleTest : public StoreTest {};
INSTANTIATE_TEST_SUITE_P(, SqliteLifecycleTest, ::testing::Values(Backend::Sqlite), backend_name);

TEST_P(LifecycleTest, DataSurvivesCloseAndReopen) {
  make_room("b1", "s1");
  const Message m = sent("b1.s1", "b1", "s1", "persisted");
  ASSERT_TRUE(wait<Room>([&](auto d) { store_->set_pinned("b1.s1", Role::Seller, true, d); }).ok());
  store_->shutdown();
  reopen();
  Room r = room("b1.s1");
  EXPECT_EQ(r.seller_unseen_messages, 1);
  ASSERT_TRUE(r.pinned_by_seller);
  ASSERT_TRUE(r.buyer_last_message);
  EXPECT_EQ(r.buyer_last_message->message.id, m.id);
  auto all = page(messages_of("b1.s1", 10));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].content, "persisted");
  // Ids keep growing after a restart.
  EXPECT_GT(sent("b1.s1", "s1", "b1", "after").id, m.id);
}

TEST_P(SqliteLifecycleTest, MigrationsAreAppliedOnce) {
  store_.reset();
  sqlite::Connection db(options().path, {});
  EXPECT_EQ(sqlite::Backend::schema_version(db),
            sqlite::Backend::schema_migrations().back().version);
  EXPECT_EQ(sqlite::Backend::apply_migrations(db, sqlite::Backend::schema_migrations()), 0);
  // Journal mode is stored in the file.
  sqlite::Query mode = db.query("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
}

TEST_P(SqliteLifecycleTest, AVersion1DatabaseIsUpgradedWithItsData) {
  store_.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(options().path + suffix);
  const std::string m1 = generate_id().id, m2 = generate_id().id;
  {
    sqlite::Connection db(options().path, {});
    ASSERT_EQ(sqlite::Backend::apply_migrations(db, sqlite::Backend::schema_migrations().first(1)),
              1);
    db.exec(
        "INSERT INTO rooms (id, type, creator, buyer, seller, shop_id, shop_json, "
        "buyer_info_json, buyer_last_message_id, seller_last_message_id, seller_unseen, "
        "created_at, updated_at) VALUES ('b1.s1', 'BS', 'b1', 'b1', 's1', 'shop', '{}', '{}', "
        "NULL, NULL, 0, 1, 1)");
    for (const std::string& id : {m1, m2}) {
      db.exec(("INSERT INTO messages (id, room_id, sender, recipient, type, content, "
               "client_message_id, is_seen, created_at, updated_at) VALUES ('" +
               id + "', 'b1.s1', 'b1', 's1', 'TEXT', 'old " + id + "', 'c-" + id + "', 0, 1, 1)")
                  .c_str());
    }
    db.exec(("UPDATE rooms SET buyer_last_message_id = '" + m2 + "', seller_last_message_id = '" +
             m2 + "', seller_unseen = 2 WHERE id = 'b1.s1'")
                .c_str());
  }
  reopen();

  auto all = page(messages_of("b1.s1", 10));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].content, "old " + m1);
  EXPECT_EQ(all[1].client_message_id, "c-" + m2);
  const Room r = room("b1.s1");
  ASSERT_TRUE(r.seller_last_message);
  EXPECT_EQ(r.seller_last_message->message.id, m2);
  EXPECT_EQ(r.seller_unseen_messages, 2);
  auto synced =
      wait<std::vector<Message>>([&](auto d) { store_->sync_messages(sync_of("s1"), d); });
  ASSERT_TRUE(synced.ok());
  ASSERT_EQ(synced->size(), 2u);
  EXPECT_EQ((*synced)[0].id, m1);
  // The upgraded tables keep their constraints: a retry is still recognised by its client id.
  auto again = send("b1.s1", "b1", "s1", "again", "c-" + m1);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->message.id, m1);
  EXPECT_GT(sent("b1.s1", "s1", "b1", "new").id, m2);
}

TEST_P(SqliteLifecycleTest, AFailedMigrationLeavesTheDatabaseAsItWas) {
  store_.reset();
  sqlite::Connection db(dir_.file("fresh.db"), {});
  const store::Migration migrations[] = {
      {1, "CREATE TABLE a (x INTEGER)"},
      {2, "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1); THIS IS NOT SQL"},
  };
  EXPECT_THROW(sqlite::Backend::apply_migrations(db, migrations), StoreFailure);
  EXPECT_EQ(sqlite::Backend::schema_version(db), 0);
  sqlite::Query tables = db.query("SELECT count(*) FROM sqlite_master");
  ASSERT_TRUE(tables.step());
  EXPECT_EQ(tables.integer(0), 0);
  EXPECT_FALSE(db.in_transaction());

  EXPECT_EQ(sqlite::Backend::apply_migrations(db, std::span(migrations, 1)), 1);
  EXPECT_EQ(sqlite::Backend::schema_version(db), 1);
}

TEST_P(SqliteLifecycleTest, RefusesADatabaseFromANewerBuild) {
  store_.reset();
  {
    sqlite::Connection db(options().path, {});
    db.exec("PRAGMA user_version = 999");
  }
  try {
    sqlite::SqliteStore s(options());
    FAIL() << "opened a database of schema version 999";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST_P(SqliteLifecycleTest, CheckpointsRunInTheBackgroundAndLoseNothing) {
  reopen({.checkpoint_pages = 8, .index_batch = 1});  // 32 KiB of WAL; index at once
  make_room("b1", "s1");
  const std::string text(1000, 'x');
  for (int i = 0; i < 300; ++i) sent("b1.s1", "b1", "s1", text);
  for (int i = 0; i < 500 && sqlite_->checkpoints() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(sqlite_->checkpoints(), 0u);
  store_->shutdown();
  reopen();
  EXPECT_EQ(page(messages_of("b1.s1", 1000)).size(), 300u);
  EXPECT_EQ(room("b1.s1").seller_unseen_messages, 300);
}

// Under sustained writes a background checkpoint never copies the newest frames, and the WAL
// only restarts after one that copied all: without the writer finishing the last frames itself
// the file would grow without bound (tens of MB here).
TEST_P(SqliteLifecycleTest, TheWalStaysBoundedUnderSustainedWrites) {
  reopen({.checkpoint_pages = 16});  // 64 KiB of WAL
  make_room("b1", "s1");
  const std::string wal = options().path + "-wal";
  const std::string text(500, 'x');
  std::uintmax_t largest = 0;
  constexpr int kWaves = 300, kPerWave = 8;
  for (int wave = 0; wave < kWaves; ++wave) {
    std::vector<std::future<Result<InsertMessageResult>>> acks;
    for (int i = 0; i < kPerWave; ++i) {
      auto p = std::make_shared<std::promise<Result<InsertMessageResult>>>();
      acks.push_back(p->get_future());
      store_->insert_message(NewMessage{"b1.s1", "b1", "s1", MessageType::Text, text, ""},
                             [p](Result<InsertMessageResult> r) { p->set_value(std::move(r)); });
    }
    for (auto& a : acks) ASSERT_TRUE(a.get().ok());
    // A read waits for the writer to index the wave: one writer transaction per wave, whatever
    // the machine's speed (left alone, the writer would index many waves at once).
    ASSERT_EQ(page(messages_of("b1.s1", 1)).size(), 1u);
    std::error_code ec;
    largest = std::max(largest, std::filesystem::file_size(wal, ec));
  }
  EXPECT_GT(sqlite_->checkpoints(), 0u);
  EXPECT_GT(sqlite_->wal_restarts(), 0u);  // checkpoints that completed: the WAL began anew
  EXPECT_LT(largest, 2u * 1024 * 1024) << "WAL grew to " << largest << " bytes";
  store_->shutdown();
  reopen();
  EXPECT_EQ(room("b1.s1").seller_unseen_messages, kWaves * kPerWave);
}

TEST_P(SqliteLifecycleTest, IdsKeepGrowingAfterAReopenEvenIfTheClockWentBack) {
  make_room("b1", "s1");
  store_.reset();
  // A message written "in the future": as if the clock stepped back between two runs.
  const std::string future_id = id_floor_for_time(now_ms() + 300);
  {
    sqlite::Connection db(options().path, {});
    db.query(
          "INSERT INTO messages (id, room_id, sender, recipient, type, content, created_at, "
          "updated_at) VALUES (?1, 'b1.s1', 'b1', 's1', 'TEXT', 'early', 0, 0)")
        .bind(1, future_id)
        .run();
  }
  reopen();
  EXPECT_GT(sent("b1.s1", "s1", "b1", "later").id, future_id);
  std::this_thread::sleep_for(std::chrono::milliseconds(350));  // later tests expect the clock
}

// The tests of queued writes send messages through SQLite's appender thread: inline appends
// (the default, sqlite_store.hpp) queue nothing.
TEST_P(LifecycleTest, GroupCommitPutsQueuedWritesInOneTransaction) {
  reopen({.inline_appends = false});
  make_room("b1", "s1");
  const StoreStats before = store_->stats();
  pause_writes();
  std::vector<std::future<Result<InsertMessageResult>>> results;
  for (int i = 0; i < 100; ++i) {
    auto p = std::make_shared<std::promise<Result<InsertMessageResult>>>();
    results.push_back(p->get_future());
    store_->insert_message({"b1.s1", "b1", "s1", MessageType::Text, "x", ""},
                           [p](Result<InsertMessageResult> r) { p->set_value(std::move(r)); });
  }
  EXPECT_EQ(store_->stats().queued_writes, 100u);
  resume_writes();
  for (auto& f : results) ASSERT_TRUE(f.get().ok());
  const StoreStats after = store_->stats();
  EXPECT_EQ(after.write_transactions - before.write_transactions, 1u);
  EXPECT_EQ(after.writes_committed - before.writes_committed, 100u);
  EXPECT_EQ(after.largest_batch, 100u);
  EXPECT_EQ(room("b1.s1").seller_unseen_messages, 100);
}

TEST_P(LifecycleTest, BatchesAreBoundedByMaxBatch) {
  StoreTuning o;
  o.max_batch = 16;
  o.inline_appends = false;
  reopen(o);
  make_room("b1", "s1");
  const auto before = store_->stats().write_transactions;
  pause_writes();
  std::vector<std::future<void>> done;
  for (int i = 0; i < 100; ++i) {
    auto p = std::make_shared<std::promise<void>>();
    done.push_back(p->get_future());
    store_->insert_message({"b1.s1", "b1", "s1", MessageType::Text, "x", ""},
                           [p](Result<InsertMessageResult>) { p->set_value(); });
  }
  resume_writes();
  for (auto& f : done) f.get();
  EXPECT_EQ(store_->stats().write_transactions - before, 7u);  // ceil(100 / 16)
  EXPECT_EQ(store_->stats().largest_batch, 16u);
}

// One batch of messages in two rooms, both ways (PostgreSQL sends such a batch as one
// statement of arrays): every content arrives byte for byte (quotes, backslashes, braces, commas,
// "NULL", unicode), each room's messages keep the order they were sent in, the unread counts
// and last messages are those of the whole batch, and a retry of a client id queued in the
// same batch is answered as a duplicate of the first.
TEST_P(LifecycleTest, OneBatchOfMessagesKeepsEachContentOrderAndCount) {
  make_room("b1", "s1");
  make_room("b2", "s1");
  struct Sent {
    NewMessage message;
    std::future<Result<InsertMessageResult>> result;
  };
  const std::vector<NewMessage> messages = {
      {"b1.s1", "b1", "s1", MessageType::Text, R"(say "hi", {ok})", "c1"},
      {"b2.s1", "b2", "s1", MessageType::Text, R"(back\slash \" \\ end\)", ""},
      {"b1.s1", "s1", "b1", MessageType::Emoji, "😊", ""},
      {"b1.s1", "b1", "s1", MessageType::Text, "NULL", "c2"},
      {"b2.s1", "s1", "b2", MessageType::Image, "https://x.test/a,b{c}.png", "c1"},
      {"b1.s1", "b1", "s1", MessageType::Text, "retry", "c1"},  // b1's c1 again
      {"b1.s1", "b1", "s1", MessageType::Text, "", ""},
      {"b2.s1", "b2", "s1", MessageType::Text, "last in b2", ""},
  };
  pause_writes();
  std::vector<Sent> sent;
  for (const NewMessage& m : messages) {
    auto p = std::make_shared<std::promise<Result<InsertMessageResult>>>();
    sent.push_back({m, p->get_future()});
    store_->insert_message(m, [p](Result<InsertMessageResult> r) { p->set_value(std::move(r)); });
  }
  resume_writes();
  std::vector<InsertMessageResult> results;
  for (Sent& s : sent) {
    auto r = s.result.get();
    ASSERT_TRUE(r.ok()) << r.error().message;
    results.push_back(*r);
  }
  EXPECT_TRUE(results[5].duplicate);
  EXPECT_EQ(results[5].message.id, results[0].message.id);
  EXPECT_EQ(results[5].message.content, messages[0].content);
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (i != 5) {
      EXPECT_FALSE(results[i].duplicate) << i;
    }
  }

  // Oldest first, per room: the order sent, the contents as sent.
  const std::vector<std::size_t> in_b1 = {0, 2, 3, 6}, in_b2 = {1, 4, 7};
  for (const auto& [room_id, indexes] :
       {std::pair{std::string("b1.s1"), in_b1}, std::pair{std::string("b2.s1"), in_b2}}) {
    const std::vector<Message> stored = page(messages_of(room_id, 20));  // oldest first
    ASSERT_EQ(stored.size(), indexes.size()) << room_id;
    for (std::size_t k = 0; k < indexes.size(); ++k) {
      const NewMessage& m = messages[indexes[k]];
      EXPECT_EQ(stored[k].id, results[indexes[k]].message.id) << room_id << " #" << k;
      EXPECT_EQ(stored[k].content, m.content) << room_id << " #" << k;
      EXPECT_EQ(stored[k].from, m.from);
      EXPECT_EQ(stored[k].type, m.type);
      EXPECT_EQ(stored[k].client_message_id, m.client_message_id);
    }
  }
  const Room b1 = room("b1.s1"), b2 = room("b2.s1");
  EXPECT_EQ(b1.seller_unseen_messages, 3);  // b1 sent 3 (its retry is not a message)
  EXPECT_EQ(b1.buyer_unseen_messages, 1);
  EXPECT_EQ(b2.seller_unseen_messages, 2);
  EXPECT_EQ(b2.buyer_unseen_messages, 1);
  ASSERT_TRUE(b1.seller_last_message && b2.buyer_last_message);
  EXPECT_EQ(b1.seller_last_message->message.id, results[6].message.id);
  EXPECT_EQ(b2.buyer_last_message->message.id, results[7].message.id);
  EXPECT_TRUE(b2.buyer_last_message->is_seen);  // b2 wrote it
  EXPECT_FALSE(b2.seller_last_message->is_seen);
}

TEST_P(LifecycleTest, AFailingRequestDoesNotFailItsBatch) {
  reopen({.inline_appends = false});
  make_room("b1", "s1");
  pause_writes();
  auto ok1 = std::make_shared<std::promise<Result<InsertMessageResult>>>();
  auto bad = std::make_shared<std::promise<Result<InsertMessageResult>>>();
  auto forbidden = std::make_shared<std::promise<Result<Message>>>();
  auto ok2 = std::make_shared<std::promise<Result<InsertMessageResult>>>();
  auto f1 = ok1->get_future();
  auto fb = bad->get_future();
  auto ff = forbidden->get_future();
  auto f2 = ok2->get_future();
  store_->insert_message({"b1.s1", "b1", "s1", MessageType::Text, "one", ""},
                         [ok1](auto r) { ok1->set_value(std::move(r)); });
  store_->insert_message({"nope.room", "b1", "s1", MessageType::Text, "lost", ""},
                         [bad](auto r) { bad->set_value(std::move(r)); });
  store_->update_message_content("nope", "b1", "x",
                                 [forbidden](auto r) { forbidden->set_value(std::move(r)); });
  store_->insert_message({"b1.s1", "s1", "b1", MessageType::Text, "two", ""},
                         [ok2](auto r) { ok2->set_value(std::move(r)); });
  const auto before = store_->stats().write_transactions;
  resume_writes();
  EXPECT_TRUE(f1.get().ok());
  EXPECT_EQ(fb.get().error().code, "ROOM_NOT_FOUND");
  EXPECT_EQ(ff.get().error().code, "MESSAGE_NOT_FOUND");
  EXPECT_TRUE(f2.get().ok());
  // One transaction for the batch; with SQLite the messages are the appender's batch and the
  // update the writer's, one each.
  EXPECT_EQ(store_->stats().write_transactions - before, backend() == Backend::Sqlite ? 2u : 1u);
  EXPECT_EQ(page(messages_of("b1.s1", 10)).size(), 2u);
}

TEST_P(LifecycleTest, AFullQueueRefusesFastWithStoreUnavailable) {
  StoreTuning o;
  o.max_queued_writes = 10;
  o.inline_appends = false;
  reopen(o);
  make_room("b1", "s1");
  pause_writes();
  std::vector<std::future<Result<InsertMessageResult>>> results;
  for (int i = 0; i < 15; ++i) {
    auto p = std::make_shared<std::promise<Result<InsertMessageResult>>>();
    results.push_back(p->get_future());
    store_->insert_message({"b1.s1", "b1", "s1", MessageType::Text, "x", ""},
                           [p](Result<InsertMessageResult> r) { p->set_value(std::move(r)); });
  }
  // The refusals arrive while the writer is still paused: they do not wait for it.
  for (int i = 10; i < 15; ++i) {
    auto r = results[i].get();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "STORE_UNAVAILABLE");
  }
  EXPECT_EQ(store_->stats().rejected, 5u);
  resume_writes();
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(results[i].get().ok());
  EXPECT_EQ(room("b1.s1").seller_unseen_messages, 10);
}

// Inline appends queue nothing, but the messages they log wait for the writer: bounded too
// (in count, then in time: a message waits `append_wait` for the writer before it is refused).
TEST_P(SqliteLifecycleTest, InlineAppendsRefuseWhileTooManyMessagesWaitToBeIndexed) {
  StoreTuning o;
  o.max_queued_writes = 10;
  o.append_wait = std::chrono::milliseconds(20);
  reopen(o);
  make_room("b1", "s1");
  pause_writes();  // the writer indexes nothing meanwhile
  std::vector<Result<InsertMessageResult>> results;
  for (int i = 0; i < 15; ++i) {
    store_->insert_message({"b1.s1", "b1", "s1", MessageType::Text, "x", ""},
                           [&](Result<InsertMessageResult> r) { results.push_back(std::move(r)); });
  }
  ASSERT_EQ(results.size(), 15u);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(results[i].ok()) << i;
  for (int i = 10; i < 15; ++i) {
    ASSERT_FALSE(results[i].ok());
    EXPECT_EQ(results[i].error().code, "STORE_UNAVAILABLE");
  }
  resume_writes();
  EXPECT_EQ(room("b1.s1").seller_unseen_messages, 10);
  EXPECT_TRUE(send("b1.s1", "b1", "s1", "room again").ok());  // indexed: room for more
}

// Backpressure, not refusal: while the writer catches up, a new message waits (its caller with
// it) instead of failing. The writer is held back until the appends are already waiting.
// (Inline appends; the appender thread waits the same way, appender.cpp, but its queue of
// max_queued_writes requests has a bound of its own.)
TEST_P(SqliteLifecycleTest, AppendsBeyondTheBoundWaitForTheWriterInsteadOfFailing) {
  StoreTuning o;
  o.max_queued_writes = 10;
  o.append_wait = std::chrono::seconds(60);  // far beyond any delay of a busy machine
  reopen(o);
  make_room("b1", "s1");
  pause_writes();
  std::atomic<int> answered{0};
  std::vector<Result<InsertMessageResult>> results;
  std::thread sender([&] {
    for (int i = 0; i < 25; ++i) {
      store_->insert_message({"b1.s1", "b1", "s1", MessageType::Text, std::to_string(i), ""},
                             [&](Result<InsertMessageResult> r) {
                               results.push_back(std::move(r));
                               ++answered;
                             });
    }
  });
  // The first ten are answered; the eleventh waits for the paused writer.
  while (answered.load() < 10) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(answered.load(), 10);
  resume_writes();
  sender.join();
  ASSERT_EQ(results.size(), 25u);
  for (const auto& r : results) EXPECT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(room("b1.s1").seller_unseen_messages, 25);
  EXPECT_EQ(store_->stats().rejected, 0u);
}

TEST_P(LifecycleTest, ShutdownCommitsWhatIsQueuedAndRefusesWhatComesAfter) {
  make_room("b1", "s1");
  pause_writes();
  std::vector<std::future<Result<InsertMessageResult>>> queued;
  for (int i = 0; i < 20; ++i) {
    auto p = std::make_shared<std::promise<Result<InsertMessageResult>>>();
    queued.push_back(p->get_future());
    store_->insert_message({"b1.s1", "b1", "s1", MessageType::Text, "x", ""},
                           [p](Result<InsertMessageResult> r) { p->set_value(std::move(r)); });
  }
  store_->shutdown();  // even while paused, queued writes are committed
  for (auto& f : queued) EXPECT_TRUE(f.get().ok());

  auto late_write = wait<InsertMessageResult>([&](auto d) {
    store_->insert_message({"b1.s1", "b1", "s1", MessageType::Text, "late", ""}, d);
  });
  EXPECT_EQ(late_write.error().code, "STORE_UNAVAILABLE");
  auto late_read = wait<std::optional<Room>>([&](auto d) { store_->get_room("b1.s1", d); });
  EXPECT_EQ(late_read.error().code, "STORE_UNAVAILABLE");
  store_->shutdown();  // idempotent

  reopen();
  EXPECT_EQ(room("b1.s1").seller_unseen_messages, 20);
}

TEST_P(LifecycleTest, CallbacksRunOffTheCallersThread) {
  if (backend() == Backend::Sqlite) reopen({.inline_appends = false});  // see the test below
  make_room("b1", "s1");
  const auto caller = std::this_thread::get_id();
  auto write_thread = wait<std::thread::id>([&](auto done) {
    store_->insert_message({"b1.s1", "b1", "s1", MessageType::Text, "x", ""},
                           [done](auto) { done(std::this_thread::get_id()); });
  });
  auto read_thread = wait<std::thread::id>([&](auto done) {
    store_->get_room("b1.s1", [done](auto) { done(std::this_thread::get_id()); });
  });
  store_->shutdown();
  auto refused_thread = wait<std::thread::id>([&](auto done) {
    store_->get_room("b1.s1", [done](auto) { done(std::this_thread::get_id()); });
  });
  EXPECT_NE(*write_thread, caller);
  EXPECT_NE(*read_thread, caller);
  EXPECT_NE(*refused_thread, caller);
  EXPECT_NE(*write_thread, *read_thread);
}

// The one exception (store.hpp): SQLite's inline appends acknowledge a new message on the
// caller's thread, before insert_message returns; every other callback still runs elsewhere.
TEST_P(SqliteLifecycleTest, InlineAppendsAcknowledgeOnTheCallersThread) {
  make_room("b1", "s1");
  const auto caller = std::this_thread::get_id();
  std::optional<std::thread::id> acked_on;
  store_->insert_message({"b1.s1", "b1", "s1", MessageType::Text, "x", ""}, [&](auto r) {
    EXPECT_TRUE(r.ok());
    acked_on = std::this_thread::get_id();
  });
  ASSERT_TRUE(acked_on.has_value()) << "not acknowledged before insert_message returned";
  EXPECT_EQ(*acked_on, caller);
  auto seen_thread = wait<std::thread::id>([&](auto done) {
    store_->mark_seen("b1.s1", "s1", std::nullopt,
                      [done](auto) { done(std::this_thread::get_id()); });
  });
  EXPECT_NE(*seen_thread, caller);
  store_->shutdown();
  Result<InsertMessageResult> after = make_error("", "");
  store_->insert_message({"b1.s1", "b1", "s1", MessageType::Text, "late", ""},
                         [&](auto r) { after = std::move(r); });
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, "STORE_UNAVAILABLE");
}

TEST_P(LifecycleTest, AThrowingCallbackDoesNotStopTheStore) {
  make_room("b1", "s1");
  store_->insert_message({"b1.s1", "b1", "s1", MessageType::Text, "x", ""},
                         [](auto) { throw std::runtime_error("careless caller"); });
  store_->get_room("b1.s1", [](auto) { throw std::runtime_error("careless caller"); });
  sent("b1.s1", "b1", "s1", "still working");
  EXPECT_EQ(room("b1.s1").seller_unseen_messages, 2);
}

TEST(OpenStore, OpensSqliteUrlsAndCreatesTheDirectory) {
  TempDir dir;
  const std::string path = dir.file("nested/deeper/cz.db");
  auto store = open_store("sqlite:" + path + "?synchronous=normal&readers=3");
  ASSERT_TRUE(store);
  auto created = wait<CreateRoomResult>([&](auto d) {
    store->create_room({"BS", "b", "s", "shop", "b", R"({"name":"x"})", "null"}, d);
  });
  ASSERT_TRUE(created.ok());
  store->shutdown();
  EXPECT_TRUE(std::filesystem::exists(path));
  // sqlite:///absolute/path is the same file.
  auto again = open_store("sqlite://" + path);
  auto room = wait<std::optional<Room>>([&](auto d) { again->get_room("b.s", d); });
  ASSERT_TRUE(room.ok() && room->has_value());
}

TEST(OpenStore, MemoryStoresWorkAndShareNothing) {
  auto one = open_store("memory");
  auto two = open_store("memory");
  auto created = wait<CreateRoomResult>([&](auto d) {
    one->create_room({"BS", "b", "s", "shop", "b", R"({"name":"x"})", "null"}, d);
  });
  ASSERT_TRUE(created.ok());
  NewMessage msg;
  msg.room_id = "b.s";
  msg.from = "b";
  msg.to = "s";
  msg.content = "hello";
  msg.client_message_id = "c1";
  auto sent = wait<InsertMessageResult>([&](auto d) { one->insert_message(msg, d); });
  ASSERT_TRUE(sent.ok());
  // Read back through a reader connection of the same store: one database per store.
  auto room = wait<std::optional<Room>>([&](auto d) { one->get_room("b.s", d); });
  ASSERT_TRUE(room.ok() && room->has_value());
  ASSERT_TRUE((*room)->seller_last_message);
  EXPECT_EQ((*room)->seller_last_message->message.content, "hello");
  EXPECT_EQ((*room)->seller_unseen_messages, 1);
  auto elsewhere = wait<std::optional<Room>>([&](auto d) { two->get_room("b.s", d); });
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE(elsewhere->has_value());
  one->shutdown();
  two->shutdown();
}

TEST(OpenStore, ExplainsBadUrls) {
  auto message_of = [](const std::string& url) {
    try {
      open_store(url);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("(opened)");
  };
  // Nothing listens on port 1: the store says it cannot connect (postgres_open_store_test.cpp
  // covers the PostgreSQL URLs in full).
  EXPECT_NE(message_of("postgres://u:p@127.0.0.1:1/db").find("cannot connect to PostgreSQL"),
            std::string::npos);
  EXPECT_NE(message_of("postgresql://127.0.0.1:1/db").find("PostgreSQL"), std::string::npos);
  EXPECT_NE(message_of("mysql://x").find("expected sqlite:PATH"), std::string::npos);
  EXPECT_NE(message_of("memory://x").find("or memory"), std::string::npos);
  EXPECT_NE(message_of("sqlite:").find("file path"), std::string::npos);
  EXPECT_NE(message_of("sqlite::memory:").find("in-memory"), std::string::npos);
  EXPECT_NE(message_of("sqlite:/tmp/x.db?synchronous=sometimes").find("synchronous"),
            std::string::npos);
  EXPECT_NE(message_of("sqlite:/tmp/x.db?readers=0").find("readers"), std::string::npos);
  EXPECT_NE(message_of("sqlite:/tmp/x.db?append_wait_ms=x").find("append_wait_ms"),
            std::string::npos);
  EXPECT_NE(message_of("sqlite:/tmp/x.db?colour=blue").find("unknown"), std::string::npos);
  EXPECT_NE(message_of("sqlite:/dev/null/x/y.db").find("cannot"), std::string::npos);
}

}  // namespace
}  // namespace cz::store::testing
