#include "messenger/room_directory.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <deque>

namespace cz::messenger {
namespace {

// A store that only knows rooms and answers get_room when the test says so.
class FakeStore : public store::Store {
 public:
  std::map<std::string, store::Room> rooms;
  std::deque<std::pair<std::string, store::Callback<std::optional<store::Room>>>> pending;
  int lookups = 0;
  bool fail = false;

  void answer_all() {
    while (!pending.empty()) {
      auto [id, done] = std::move(pending.front());
      pending.pop_front();
      if (fail) {
        done(Error{"STORE_UNAVAILABLE", "busy"});
        continue;
      }
      auto it = rooms.find(id);
      done(it == rooms.end() ? std::optional<store::Room>()
                             : std::optional<store::Room>(it->second));
    }
  }

  void get_room(std::string room_id, store::Callback<std::optional<store::Room>> done) override {
    ++lookups;
    pending.emplace_back(std::move(room_id), std::move(done));
  }

  void create_room(store::CreateRoom, store::Callback<store::CreateRoomResult>) override {}
  void list_rooms(store::RoomQuery, store::Callback<std::vector<store::Room>>) override {}
  void enable_room(std::string, store::Role, store::Callback<store::Room>) override {}
  void set_pinned(std::string, store::Role, bool, store::Callback<store::Room>) override {}
  void delete_room_side(std::string, store::Role, store::Callback<store::Room>) override {}
  void insert_message(store::NewMessage, store::Callback<store::InsertMessageResult>) override {}
  void mark_seen(std::string, std::string, std::optional<std::vector<std::string>>,
                 store::Callback<std::vector<std::string>>) override {}
  void list_messages(store::MessageQuery, store::Callback<std::vector<store::Message>>) override {}
  void sync_messages(store::SyncQuery, store::Callback<std::vector<store::Message>>) override {}
  void get_message(std::string, store::Callback<std::optional<store::Message>>) override {}
  void update_message_content(std::string, std::string, std::string,
                              store::Callback<store::Message>) override {}
  void unread_counts(std::string, store::Callback<std::vector<store::UnreadCount>>) override {}
  void room_partners(std::string, store::Callback<std::vector<std::string>>) override {}
  void import_batch(store::ImportBatch, store::Callback<store::ImportBatchResult>) override {}
  void shutdown() override {}
};

struct Fixture : ::testing::Test {
  boost::asio::io_context io;
  FakeStore store;
  std::vector<std::string> log;

  Fixture() {
    store::Room r;
    r.id = "b1.s1";
    r.buyer = "b1";
    r.seller = "s1";
    store.rooms[r.id] = r;
  }

  RoomDirectory::Done record(std::string tag) {
    return [this, tag](const Participants* p, const Error* e) {
      log.push_back(tag + ":" + (p ? p->buyer + "/" + p->seller : e->code));
    };
  }

  // Store answers arrive on "the store thread"; the directory posts them to the shard.
  void settle() {
    store.answer_all();
    io.restart();
    io.run();
  }
};

TEST_F(Fixture, ConcurrentMissesShareOneLookupAndResumeInOrder) {
  RoomDirectory dir(store, {io.get_executor()});
  dir.find(0, "b1.s1", record("1"));
  dir.find(0, "b1.s1", record("2"));
  dir.find(0, "b1.s1", record("3"));
  EXPECT_TRUE(log.empty()) << "nothing answers before the store";
  EXPECT_EQ(store.lookups, 1);
  settle();
  EXPECT_EQ(log, (std::vector<std::string>{"1:b1/s1", "2:b1/s1", "3:b1/s1"}));
}

TEST_F(Fixture, HitsAnswerAtOnceWithoutTheStore) {
  RoomDirectory dir(store, {io.get_executor()});
  dir.find(0, "b1.s1", record("miss"));
  settle();
  dir.find(0, "b1.s1", record("hit"));
  EXPECT_EQ(store.lookups, 1);
  EXPECT_EQ(log.back(), "hit:b1/s1");
}

TEST_F(Fixture, UnknownRoomsAndStoreErrorsAreNotCached) {
  RoomDirectory dir(store, {io.get_executor()});
  dir.find(0, "x.y", record("a"));
  dir.find(0, "x.y", record("b"));
  settle();
  EXPECT_EQ(log, (std::vector<std::string>{"a:ROOM_NOT_FOUND", "b:ROOM_NOT_FOUND"}));
  store.fail = true;
  dir.find(0, "b1.s1", record("c"));
  settle();
  EXPECT_EQ(log.back(), "c:STORE_UNAVAILABLE");
  store.fail = false;
  dir.find(0, "b1.s1", record("d"));
  settle();
  EXPECT_EQ(log.back(), "d:b1/s1");
  EXPECT_EQ(store.lookups, 3);
}

TEST_F(Fixture, ShardsHaveTheirOwnTables) {
  boost::asio::io_context io2;
  RoomDirectory dir(store, {io.get_executor(), io2.get_executor()});
  dir.remember(0, "b1.s1", Participants{"b1", "s1"});
  dir.find(0, "b1.s1", record("shard0"));
  EXPECT_EQ(store.lookups, 0);
  dir.find(1, "b1.s1", record("shard1"));
  EXPECT_EQ(store.lookups, 1);
  store.answer_all();
  io2.run();
  EXPECT_EQ(log.back(), "shard1:b1/s1");
}

TEST_F(Fixture, BoundedTableStartsOver) {
  RoomDirectory dir(store, {io.get_executor()}, 2);
  dir.remember(0, "a.b", Participants{"a", "b"});
  dir.remember(0, "c.d", Participants{"c", "d"});
  dir.remember(0, "b1.s1", Participants{"b1", "s1"});  // full: cleared, then inserted
  dir.find(0, "b1.s1", record("kept"));
  dir.find(0, "a.b", record("dropped"));
  EXPECT_EQ(log, (std::vector<std::string>{"kept:b1/s1"}));
  EXPECT_EQ(store.lookups, 1);
}

}  // namespace
}  // namespace cz::messenger
