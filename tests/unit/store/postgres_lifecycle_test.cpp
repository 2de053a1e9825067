// PostgreSQL's own behaviour: migrations (also from several stores at once), several stores on
// one database (nodes of a cluster), input PostgreSQL cannot hold, and a server restart under a
// running store.
#include <atomic>
#include <barrier>
#include <set>

#include "store/postgres/backend.hpp"
#include "store_test_support.hpp"

namespace cz::store::testing {
namespace {

class PostgresLifecycleTest : public StoreTest {
 protected:
  PostgresServer& server() { return PostgresServer::shared(); }
  std::string db_name() const { return pg_url_.substr(pg_url_.rfind('/') + 1); }
  postgres::Connection connect(const std::string& url) {
    return postgres::Connection(postgres::ConnectionOptions{url, "test"});
  }
  std::unique_ptr<postgres::PostgresStore> open(const std::string& url) {
    postgres::PostgresOptions o;
    o.url = url;
    o.reader_connections = 2;
    return std::make_unique<postgres::PostgresStore>(std::move(o));
  }
};
INSTANTIATE_TEST_SUITE_P(, PostgresLifecycleTest, ::testing::Values(Backend::Postgres),
                         backend_name);

template <typename T>
std::shared_ptr<std::promise<Result<T>>> promise_of() {
  return std::make_shared<std::promise<Result<T>>>();
}

TEST_P(PostgresLifecycleTest, MigrationsAreAppliedOnce) {
  auto db = connect(pg_url_);
  EXPECT_EQ(postgres::Backend::schema_version(db),
            postgres::Backend::schema_migrations().back().version);
  EXPECT_EQ(postgres::Backend::apply_migrations(db, postgres::Backend::schema_migrations()), 0);
  EXPECT_EQ(server().sql(db_name(), "SELECT count(*) FROM cz_schema_migrations"),
            std::to_string(postgres::Backend::schema_migrations().size()));
  // The tables and the dedup index exist.
  EXPECT_EQ(server().sql(db_name(),
                         "SELECT count(*) FROM pg_indexes WHERE indexname = 'messages_client_id'"),
            "1");
}

TEST_P(PostgresLifecycleTest, AFailedMigrationLeavesTheDatabaseAsItWas) {
  const std::string url = server().create_database();
  auto db = connect(url);
  const store::Migration migrations[] = {
      {1, "CREATE TABLE a (x integer)"},
      {2, "CREATE TABLE b (y integer); INSERT INTO a VALUES (1); THIS IS NOT SQL"},
  };
  EXPECT_THROW(postgres::Backend::apply_migrations(db, migrations), StoreFailure);
  EXPECT_EQ(postgres::Backend::schema_version(db), 0);
  const std::string name = url.substr(url.rfind('/') + 1);
  EXPECT_EQ(server().sql(name, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), "0");
  EXPECT_FALSE(db.in_transaction());

  EXPECT_EQ(postgres::Backend::apply_migrations(db, std::span(migrations, 1)), 1);
  EXPECT_EQ(postgres::Backend::schema_version(db), 1);
}

TEST_P(PostgresLifecycleTest, RefusesADatabaseFromANewerBuild) {
  store_.reset();
  server().sql(db_name(), "INSERT INTO cz_schema_migrations (version) VALUES (999)");
  try {
    postgres::PostgresStore s(pg_options());
    FAIL() << "opened a database of schema version 999";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST_P(PostgresLifecycleTest, MigrationsRunConcurrentlyFromSeveralNodes) {
  // Several nodes starting at once on an empty database: exactly one of them migrates.
  const std::string url = server().create_database();
  constexpr int kNodes = 4;
  std::barrier start(kNodes);
  std::atomic<int> applied{0}, failures{0};
  std::vector<std::thread> nodes;
  for (int i = 0; i < kNodes; ++i) {
    nodes.emplace_back([&] {
      try {
        auto db = connect(url);
        start.arrive_and_wait();
        applied += postgres::Backend::apply_migrations(db, postgres::Backend::schema_migrations());
      } catch (const std::exception& e) {
        ++failures;
        ADD_FAILURE() << e.what();
      }
    });
  }
  for (auto& t : nodes) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(applied.load(), static_cast<int>(postgres::Backend::schema_migrations().size()));

  // Whole stores opening at once on another empty database all come up and work.
  const std::string url2 = server().create_database();
  std::vector<std::unique_ptr<postgres::PostgresStore>> stores(2);
  std::barrier start2(2);
  std::vector<std::thread> openers;
  for (auto& slot : stores) {
    openers.emplace_back([&] {
      start2.arrive_and_wait();
      try {
        slot = open(url2);
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
    });
  }
  for (auto& t : openers) t.join();
  ASSERT_TRUE(stores[0] && stores[1]);
  CreateRoom req{"BS", "b", "s", "shop", "b", R"({"name":"x"})", "null"};
  auto created = wait<CreateRoomResult>([&](auto d) { stores[0]->create_room(req, d); });
  ASSERT_TRUE(created.ok()) << created.error().message;
  auto seen = wait<std::optional<Room>>([&](auto d) { stores[1]->get_room("b.s", d); });
  ASSERT_TRUE(seen.ok() && seen->has_value());
  EXPECT_EQ(
      server().sql(url2.substr(url2.rfind('/') + 1), "SELECT count(*) FROM cz_schema_migrations"),
      std::to_string(postgres::Backend::schema_migrations().size()));
}

TEST_P(PostgresLifecycleTest, TwoNodesOnOneDatabaseKeepCountersAndDedupExact) {
  auto other = open(pg_url_);  // a second node
  make_room("b1", "s1");
  constexpr int kPerNode = 200;
  std::atomic<int> failures{0}, duplicates{0};
  std::mutex ids_mutex;
  std::set<std::string> dedup_ids;
  auto load = [&](Store& node) {
    std::vector<std::future<void>> pending;
    for (int i = 0; i < kPerNode; ++i) {
      auto p = std::make_shared<std::promise<void>>();
      pending.push_back(p->get_future());
      // Every 4th message is a retry that both nodes receive: stored once, whichever wins.
      const std::string cid = i % 4 == 0 ? "shared-" + std::to_string(i) : "";
      node.insert_message({"b1.s1", "b1", "s1", MessageType::Text, "m", cid},
                          [&, p, cid](Result<InsertMessageResult> r) {
                            if (!r.ok()) {
                              ++failures;
                            } else if (!cid.empty()) {
                              std::lock_guard lock(ids_mutex);
                              dedup_ids.insert(r->message.id);
                              duplicates += r->duplicate;
                            }
                            p->set_value();
                          });
    }
    for (auto& f : pending) f.get();
  };
  std::thread a([&] { load(*store_); });
  std::thread b([&] { load(*other); });
  a.join();
  b.join();
  EXPECT_EQ(failures.load(), 0);
  constexpr int kShared = kPerNode / 4;
  EXPECT_EQ(dedup_ids.size(), std::size_t{kShared});  // one message per shared client id
  EXPECT_EQ(duplicates.load(), kShared);              // the other node got it back as a retry
  const int stored = 2 * kPerNode - kShared;
  EXPECT_EQ(room("b1.s1").seller_unseen_messages, stored);
  EXPECT_EQ(page(messages_of("b1.s1", 1000)).size(), std::size_t{stored});

  // Both nodes creating one room at the same moment: one creates it, the other finds it.
  std::barrier start(2);
  Result<CreateRoomResult> r1 = make_error(kStoreError, "not run");
  Result<CreateRoomResult> r2 = make_error(kStoreError, "not run");
  CreateRoom req{"BS", "b2", "s2", "shop", "b2", R"({"name":"x"})", "null"};
  std::thread c([&] {
    start.arrive_and_wait();
    r1 = wait<CreateRoomResult>([&](auto d) { store_->create_room(req, d); });
  });
  std::thread d([&] {
    start.arrive_and_wait();
    r2 = wait<CreateRoomResult>([&](auto d) { other->create_room(req, d); });
  });
  c.join();
  d.join();
  ASSERT_TRUE(r1.ok() && r2.ok());
  std::multiset<CreateOutcome> outcomes{r1->outcome, r2->outcome};
  EXPECT_EQ(outcomes,
            (std::multiset<CreateOutcome>{CreateOutcome::Created, CreateOutcome::Existed}));
}

TEST_P(PostgresLifecycleTest, TextPostgresCannotHoldIsAValidationError) {
  make_room("b1", "s1");
  auto nul = send("b1.s1", "b1", "s1", std::string("a\0b", 3));
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.error().code, "VALIDATION_ERROR");
  auto bad_utf8 = send("b1.s1", "b1", "s1", "\xff\xfe");
  ASSERT_FALSE(bad_utf8.ok());
  EXPECT_EQ(bad_utf8.error().code, "VALIDATION_ERROR") << bad_utf8.error().message;
  // Nothing of them was stored, and the store carries on.
  EXPECT_EQ(room("b1.s1").seller_unseen_messages, 0);
  EXPECT_TRUE(send("b1.s1", "b1", "s1", "fine").ok());
}

// Polls `attempt` until it succeeds or `limit` passes; returns whether it did.
template <typename F>
bool eventually(F attempt, std::chrono::seconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (attempt()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST_P(PostgresLifecycleTest, QueuedWritesAreBoundedByBytesAndByTime) {
  auto o = pg_options();
  o.max_queued_bytes = 8192;
  o.queue_wait = std::chrono::milliseconds(200);
  auto store = std::make_unique<postgres::PostgresStore>(o);
  store_ = nullptr;
  auto insert = [&](const std::string& content) {
    auto done = promise_of<InsertMessageResult>();
    store->insert_message(NewMessage{"b1.s1", "b1", "s1", MessageType::Text, content, ""},
                          [done](Result<InsertMessageResult> r) { done->set_value(std::move(r)); });
    return done->get_future();
  };
  CreateRoom req{"BS", "b1", "s1", "shop", "b1", R"({"name":"x"})", "null"};
  ASSERT_TRUE(wait<CreateRoomResult>([&](auto d) { store->create_room(req, d); }).ok());

  // Bytes: with the writer held, 2 KiB messages fill the 8 KiB bound; the next one is refused
  // at once, with the usual error.
  store->pause_writes();
  const std::string big(2048, 'x');
  std::vector<std::future<Result<InsertMessageResult>>> queued;
  for (int i = 0; i < 3; ++i) queued.push_back(insert(big));
  auto refused = insert(big).get();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "STORE_UNAVAILABLE");
  // Time: held past the queue wait, the queued ones are refused instead of run.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  store->resume_writes();
  for (auto& f : queued) {
    auto r = f.get();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "STORE_UNAVAILABLE");
    EXPECT_NE(r.error().message.find("waited over 200 ms"), std::string::npos) << r.error().message;
  }
  // Within the bounds, writes go through again, and nothing refused was stored.
  ASSERT_TRUE(insert("fine").get().ok());
  EXPECT_EQ(server().sql(db_name(), "SELECT count(*) FROM messages"), "1");
}

TEST_P(PostgresLifecycleTest, AWriteWaitsOutAShortOutageOfPostgres) {
  make_room("b1", "s1");
  server().stop();
  auto done = promise_of<InsertMessageResult>();
  store_->insert_message(NewMessage{"b1.s1", "b1", "s1", MessageType::Text, "during", ""},
                         [done](Result<InsertMessageResult> r) { done->set_value(std::move(r)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  server().start();
  // Within the queue wait (default 5 s): stored once the server is back, not refused.
  auto r = done->get_future().get();
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto all = page(messages_of("b1.s1", 100));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id, r->message.id);
}

TEST_P(PostgresLifecycleTest,
       RestartOfPostgresRefusesPastTheQueueWaitThenRecoversWithoutReopening) {
  auto o = pg_options();
  o.queue_wait = std::chrono::milliseconds(300);
  store_ = std::make_unique<postgres::PostgresStore>(o);
  make_room("b1", "s1");
  const Message before = sent("b1.s1", "b1", "s1", "before");
  server().stop();

  // During the outage: writes wait the queue wait out, then fail with STORE_UNAVAILABLE; reads
  // fail with it at once.
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto w = send("b1.s1", "b1", "s1", "during");
    auto r = wait<std::optional<Room>>([&](auto d) { store_->get_room("b1.s1", d); });
    const auto took = std::chrono::steady_clock::now() - t0;
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.error().code, "STORE_UNAVAILABLE") << w.error().message;
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "STORE_UNAVAILABLE") << r.error().message;
    EXPECT_LT(took, std::chrono::seconds(2));
  }

  server().start();
  // The same store object recovers by itself (within its reconnect backoff).
  std::optional<Message> after;
  EXPECT_TRUE(eventually([&] {
    auto w = send("b1.s1", "b1", "s1", "after");
    if (w.ok()) after = w->message;
    return w.ok();
  }));
  EXPECT_TRUE(eventually([&] {
    return wait<std::optional<Room>>([&](auto d) { store_->get_room("b1.s1", d); }).ok();
  }));
  ASSERT_TRUE(after);
  auto all = page(messages_of("b1.s1", 100));
  ASSERT_EQ(all.size(), 2u);  // nothing of the outage was half-stored
  EXPECT_EQ(all[0].id, before.id);
  EXPECT_EQ(all[1].id, after->id);
  EXPECT_EQ(room("b1.s1").seller_unseen_messages, 2);
}

TEST_P(PostgresLifecycleTest, NothingAcknowledgedIsLostAcrossARestartUnderLoad) {
  make_room("b1", "s1");
  std::atomic<bool> stop{false};
  std::mutex acked_mutex;
  std::vector<std::string> acked;
  std::atomic<int> unavailable{0}, other_errors{0};
  std::string unavailable_why;
  // A steady stream of writes, each waiting for its answer, like clients waiting for acks.
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      auto r = send("b1.s1", "b1", "s1", "m" + std::to_string(i), "load-" + std::to_string(i));
      if (r.ok()) {
        std::lock_guard lock(acked_mutex);
        acked.push_back(r->message.id);
      } else if (r.error().code == "STORE_UNAVAILABLE") {
        ++unavailable;
        std::lock_guard lock(acked_mutex);
        unavailable_why = r.error().message;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      } else {
        ++other_errors;
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  server().stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  server().start();  // a shorter outage than the queue wait: writes wait, none is refused
  // Let it recover and write some more.
  const std::size_t acked_at_restart = [&] {
    std::lock_guard lock(acked_mutex);
    return acked.size();
  }();
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(acked_mutex);
    return acked.size() > acked_at_restart + 20;
  }));
  stop = true;
  writer.join();

  // The outage is shorter than the queue wait: writes wait it out. Only a write whose COMMIT the
  // shutdown cut off fails (it may or may not have committed); one at a time, so at most one.
  EXPECT_LE(unavailable.load(), 1) << "last: " << unavailable_why;
  EXPECT_EQ(other_errors.load(), 0);
  std::set<std::string> stored;
  for (const Message& m : page(messages_of("b1.s1", 1000))) stored.insert(m.id);
  std::optional<std::string> cursor;
  for (;;) {  // more than one page when the machine is fast
    MessageQuery q = messages_of("b1.s1", 1000);
    q.cursor_id = cursor;
    auto p = page(q);
    if (p.empty()) break;
    for (const Message& m : p) stored.insert(m.id);
    cursor = p.back().id;
  }
  for (std::size_t i = 0; i < acked.size(); ++i) {
    EXPECT_TRUE(stored.count(acked[i])) << "acknowledged #" << i << " of " << acked.size() << " ("
                                        << acked_at_restart << " before the restart): " << acked[i];
  }
}

}  // namespace
}  // namespace cz::store::testing
