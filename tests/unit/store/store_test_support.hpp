#pragma once
// Helpers for the store tests: a temporary directory, a blocking wrapper around the
// asynchronous API, and a fixture with a fresh SQLite store.
#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <memory>
#include <random>
#include <string>
#include <thread>

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

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(); }

  sqlite::SqliteOptions options() const {
    sqlite::SqliteOptions o;
    o.path = dir_.file("store.db");
    o.durability = sqlite::Durability::Normal;  // tests check logic, not fsync
    return o;
  }
  void reopen(sqlite::SqliteOptions o) {
    store_.reset();
    store_ = std::make_unique<sqlite::SqliteStore>(std::move(o));
  }
  void reopen() { reopen(options()); }

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
  std::unique_ptr<sqlite::SqliteStore> store_;
};

}  // namespace cz::store::testing
