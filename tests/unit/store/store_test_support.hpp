#pragma once
// Helpers for the store tests: a temporary directory, a blocking wrapper around the
// asynchronous API, and a fixture with a fresh store of each implementation.
//
// StoreTest is parameterized by the backend: a suite written with TEST_P and instantiated with
// CZ_STORE_BACKENDS(Suite) runs every test against SQLite (a fresh file) and PostgreSQL (a fresh
// database on a real server started for the test program, see postgres_server.hpp), named
// Suite.Test/sqlite and Suite.Test/postgres.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include "postgres_server.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "util/time.hpp"

namespace cz::store::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("cz-store-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Starts an asynchronous call and waits for its callback: wait<T>([&](auto done) { ... }).
template <typename T, typename Start>
Result<T> wait(Start start) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  start(Callback<T>([promise](Result<T> r) { promise->set_value(std::move(r)); }));
  return future.get();
}

enum class Backend { Sqlite, Postgres };

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::Sqlite ? "sqlite" : "postgres";
}
// How gtest (and ctest's test list) shows the parameter.
inline void PrintTo(Backend backend, std::ostream* os) {
  *os << (backend == Backend::Sqlite ? "sqlite" : "postgres");
}

#define CZ_STORE_BACKENDS(suite)                                                       \
  INSTANTIATE_TEST_SUITE_P(, suite,                                                    \
                           ::testing::Values(::cz::store::testing::Backend::Sqlite,    \
                                             ::cz::store::testing::Backend::Postgres), \
                           ::cz::store::testing::backend_name)

// Settings both stores have, for the tests of batching and backpressure.
struct StoreTuning {
  std::size_t max_batch = 256;
  std::size_t max_queued_writes = 10'000;
  int checkpoint_pages = 1000;                  // SQLite only
  std::size_t index_batch = 512;                // SQLite only
  bool inline_appends = true;                   // SQLite only
  std::chrono::milliseconds append_wait{5000};  // SQLite only
};

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (backend() == Backend::Postgres) {
      try {
        pg_url_ = PostgresServer::shared().create_database();
      } catch (const std::exception& e) {
        FAIL() << e.what();
      }
    }
    reopen();
  }

  Backend backend() const { return GetParam(); }

  sqlite::SqliteOptions options() const {
    sqlite::SqliteOptions o;
    o.path = dir_.file("store.db");
    o.durability = sqlite::Durability::Normal;  // tests check logic, not fsync
    return o;
  }
  postgres::PostgresOptions pg_options() const {
    postgres::PostgresOptions o;
    o.url = pg_url_;
    o.reader_connections = 2;
    return o;
  }
  // Closes the store (if open) and opens the same database again.
  void reopen(StoreTuning tuning = {}) {
    store_.reset();
    sqlite_ = nullptr;
    postgres_ = nullptr;
    if (backend() == Backend::Sqlite) {
      auto o = options();
      o.max_batch = tuning.max_batch;
      o.max_queued_writes = tuning.max_queued_writes;
      o.checkpoint_pages = tuning.checkpoint_pages;
      o.index_batch = tuning.index_batch;
      o.inline_appends = tuning.inline_appends;
      o.append_wait = tuning.append_wait;
      auto s = std::make_unique<sqlite::SqliteStore>(std::move(o));
      sqlite_ = s.get();
      store_ = std::move(s);
    } else {
      auto o = pg_options();
      o.max_batch = tuning.max_batch;
      o.max_queued_writes = tuning.max_queued_writes;
      auto s = std::make_unique<postgres::PostgresStore>(std::move(o));
      postgres_ = s.get();
      store_ = std::move(s);
    }
  }
  void pause_writes() {
    if (sqlite_) sqlite_->pause_writes();
    if (postgres_) postgres_->pause_writes();
  }
  void resume_writes() {
    if (sqlite_) sqlite_->resume_writes();
    if (postgres_) postgres_->resume_writes();
  }

  Result<CreateRoomResult> create_room(const std::string& buyer, const std::string& seller,
                                       const std::string& creator = "",
                                       const std::string& shop_name = "Shop",
                                       const std::string& buyer_name = "Buyer") {
    CreateRoom req;
    req.buyer = buyer;
    req.seller = seller;
    req.creator = creator.empty() ? buyer : creator;
    req.shop_id = "shop-" + seller;
    req.shop_json = "{\"name\":\"" + shop_name + "\"}";
    req.buyer_info_json = "{\"name\":\"" + buyer_name + "\",\"avatar\":null}";
    return wait<CreateRoomResult>([&](auto done) { store_->create_room(req, done); });
  }
  Room make_room(const std::string& buyer, const std::string& seller,
                 const std::string& shop_name = "Shop", const std::string& buyer_name = "Buyer") {
    auto r = create_room(buyer, seller, buyer, shop_name, buyer_name);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->room : Room{};
  }
  Result<InsertMessageResult> send(const std::string& room_id, const std::string& from,
                                   const std::string& to, const std::string& content,
                                   const std::string& client_id = "",
                                   MessageType type = MessageType::Text) {
    NewMessage m{room_id, from, to, type, content, client_id};
    return wait<InsertMessageResult>([&](auto done) { store_->insert_message(m, done); });
  }
  Message sent(const std::string& room_id, const std::string& from, const std::string& to,
               const std::string& content) {
    auto r = send(room_id, from, to, content);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->message : Message{};
  }
  Room room(const std::string& id) {
    auto r = wait<std::optional<Room>>([&](auto done) { store_->get_room(id, done); });
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.ok() && r->has_value()) << "no room " << id;
    return r.ok() && r->has_value() ? **r : Room{};
  }
  std::vector<Room> rooms(const std::string& user, Role role,
                          std::optional<std::string> name = std::nullopt,
                          std::optional<bool> pinned = std::nullopt) {
    RoomQuery q{user, role, std::move(name), pinned};
    auto r = wait<std::vector<Room>>([&](auto done) { store_->list_rooms(q, done); });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<Room>{};
  }
  std::vector<Message> page(MessageQuery q) {
    auto r = wait<std::vector<Message>>([&](auto done) { store_->list_messages(q, done); });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<Message>{};
  }

  static MessageQuery messages_of(const std::string& room_id, std::size_t limit) {
    MessageQuery q;
    q.room_id = room_id;
    q.limit = limit;
    return q;
  }
  static SyncQuery sync_of(const std::string& user, std::optional<std::string> since_id = {},
                           std::optional<TimeMs> since_time = {}, std::size_t limit = 100) {
    SyncQuery q;
    q.user_id = user;
    q.since_id = std::move(since_id);
    q.since_time = since_time;
    q.limit = limit;
    return q;
  }

  TempDir dir_;
  std::string pg_url_;  // the test's own database (PostgreSQL)
  std::unique_ptr<Store> store_;
  sqlite::SqliteStore* sqlite_ = nullptr;  // store_, when it is that backend
  postgres::PostgresStore* postgres_ = nullptr;
};

}  // namespace cz::store::testing
