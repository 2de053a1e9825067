// import_batch (cz-messenger import) and what imported ids mean for the order of messages:
// the original's cuids sort above our ids, so pages, sync and room lists go by created_at.
#include "store_test_support.hpp"
#include "util/ids.hpp"

namespace cz::store::testing {
namespace {

using ImportTest = StoreTest;
CZ_STORE_BACKENDS(ImportTest);

constexpr TimeMs kJan2024 = 1704067200000;

Room imported_room(const std::string& buyer, const std::string& seller) {
  Room r;
  r.id = buyer + "." + seller;
  r.buyer = r.creator = buyer;
  r.seller = seller;
  r.shop_id = "shop-1";
  r.shop_json = R"({"name":"Ünï shop"})";
  r.buyer_info_json = R"({"name":"Bob"})";
  r.seller_unseen_messages = 2;
  r.pinned_by_buyer = kJan2024 + 5;
  r.deleted_by_seller = true;
  r.seller_deleted_at = kJan2024 + 6;
  r.created_at = kJan2024;
  r.updated_at = kJan2024 + 7;
  return r;
}

Message imported_message(const std::string& id, const Room& room, bool from_buyer, TimeMs at,
                         const std::string& client_id = "") {
  Message m;
  m.id = id;
  m.room_id = room.id;
  m.from = from_buyer ? room.buyer : room.seller;
  m.to = from_buyer ? room.seller : room.buyer;
  m.content = "at " + std::to_string(at);
  m.client_message_id = client_id;
  m.is_seen = from_buyer;
  m.created_at = at;
  m.updated_at = at + 1;
  return m;
}

std::vector<std::string> ids(const std::vector<Message>& messages) {
  std::vector<std::string> out;
  for (const Message& m : messages) out.push_back(m.id);
  return out;
}

TEST_P(ImportTest, StoresDocumentsAsGivenAndSkipsThemOnARerun) {
  Room room = imported_room("b1", "s1");
  // Ids whose order is not their time order (as the original's could be, across processes).
  Message late = imported_message("ckaaaaaaa0000aaaaaaaaaaaa", room, true, kJan2024 + 2000, "c-1");
  Message early = imported_message("ckzzzzzzz0000aaaaaaaaaaaa", room, false, kJan2024 + 1000);
  room.buyer_last_message = LastMessage{late, true};
  room.seller_last_message = LastMessage{late, false};
  ImportBatch batch;
  batch.rooms = {room};
  batch.messages = {late, early};
  auto first = wait<ImportBatchResult>([&](auto d) { store_->import_batch(batch, d); });
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->rooms, std::vector<ImportOutcome>{ImportOutcome::Imported});
  EXPECT_EQ(first->messages,
            (std::vector<ImportOutcome>{ImportOutcome::Imported, ImportOutcome::Imported}));

  auto again = wait<ImportBatchResult>([&](auto d) { store_->import_batch(batch, d); });
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->rooms, std::vector<ImportOutcome>{ImportOutcome::Duplicate});
  EXPECT_EQ(again->messages,
            (std::vector<ImportOutcome>{ImportOutcome::Duplicate, ImportOutcome::Duplicate}));

  // The sender's client_message_id on a different message: kept, without it.
  ImportBatch reused;
  reused.messages = {
      imported_message("ckbbbbbbb0000aaaaaaaaaaaa", room, true, kJan2024 + 3000, "c-1")};
  auto third = wait<ImportBatchResult>([&](auto d) { store_->import_batch(reused, d); });
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->messages, std::vector<ImportOutcome>{ImportOutcome::ImportedWithoutClientId});

  auto stored = wait<std::optional<Room>>([&](auto d) { store_->get_room("b1.s1", d); });
  ASSERT_TRUE(stored.ok() && stored->has_value());
  const Room& r = **stored;
  EXPECT_EQ(r.shop_json, room.shop_json);
  EXPECT_EQ(r.pinned_by_buyer, kJan2024 + 5);
  EXPECT_EQ(r.seller_deleted_at, kJan2024 + 6);
  ASSERT_TRUE(r.buyer_last_message && r.seller_last_message);
  EXPECT_TRUE(r.buyer_last_message->is_seen);
  if (backend() == Backend::Sqlite) {
    // SQLite derives a room's message state from its messages (schema v3), imported ones too:
    // the latest message by time, unread counts from the is_seen flags, and the seller's
    // deletion (at +6 ms) undone by the messages after it, as a new message would undo it.
    EXPECT_EQ(r.seller_unseen_messages, 0);  // both messages to the seller are seen
    EXPECT_EQ(r.buyer_unseen_messages, 1);   // `early`, to the buyer, is not
    EXPECT_FALSE(r.deleted_by_seller);
    EXPECT_EQ(r.updated_at, kJan2024 + 3000);  // the last message's time
    EXPECT_EQ(r.buyer_last_message->message.id, "ckbbbbbbb0000aaaaaaaaaaaa");
    EXPECT_TRUE(r.seller_last_message->is_seen);  // the seller has nothing unread
  } else {
    // PostgreSQL keeps the room's fields as the original stored them.
    EXPECT_EQ(r.seller_unseen_messages, 2);
    EXPECT_TRUE(r.deleted_by_seller);
    EXPECT_EQ(r.updated_at, kJan2024 + 7);
    EXPECT_EQ(r.buyer_last_message->message.id, late.id);
    EXPECT_FALSE(r.seller_last_message->is_seen);
  }

  auto got = wait<std::optional<Message>>([&](auto d) { store_->get_message(late.id, d); });
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->content, late.content);
  EXPECT_EQ((*got)->client_message_id, "c-1");
  EXPECT_TRUE((*got)->is_seen);
  EXPECT_EQ((*got)->created_at, late.created_at);
  EXPECT_EQ((*got)->updated_at, late.updated_at);
}

TEST_P(ImportTest, DryRunStoresNothing) {
  ImportBatch batch;
  batch.rooms = {imported_room("b1", "s1")};
  batch.dry_run = true;
  auto r = wait<ImportBatchResult>([&](auto d) { store_->import_batch(batch, d); });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rooms, std::vector<ImportOutcome>{ImportOutcome::Imported});
  auto room = wait<std::optional<Room>>([&](auto d) { store_->get_room("b1.s1", d); });
  ASSERT_TRUE(room.ok());
  EXPECT_FALSE(room->has_value());
}

TEST_P(ImportTest, ImportedAndNewMessagesAreOrderedByTimeThenId) {
  Room room = imported_room("b1", "s1");
  room.deleted_by_seller = false;
  Message late = imported_message("ckaaaaaaa0000aaaaaaaaaaaa", room, true, kJan2024 + 2000);
  Message early = imported_message("ckzzzzzzz0000aaaaaaaaaaaa", room, false, kJan2024 + 1000);
  ImportBatch batch;
  batch.rooms = {room};
  batch.messages = {late, early};
  ASSERT_TRUE(wait<ImportBatchResult>([&](auto d) { store_->import_batch(batch, d); }).ok());
  // A new message after the import: its id sorts below the cuids, its time after them.
  const Message fresh = sent("b1.s1", "b1", "s1", "new");
  ASSERT_LT(fresh.id, early.id);

  const std::vector<std::string> in_order = {early.id, late.id, fresh.id};
  auto page = [&](MessageQuery q) {
    q.room_id = "b1.s1";
    auto r = wait<std::vector<Message>>([&](auto d) { store_->list_messages(q, d); });
    EXPECT_TRUE(r.ok());
    return r.ok() ? ids(*r) : std::vector<std::string>{};
  };
  EXPECT_EQ(page({}), in_order);
  MessageQuery newest;
  newest.order = Order::NewestFirst;
  EXPECT_EQ(page(newest), (std::vector<std::string>{fresh.id, late.id, early.id}));
  MessageQuery after_early;
  after_early.cursor_id = early.id;  // an imported id as the cursor
  EXPECT_EQ(page(after_early), (std::vector<std::string>{late.id, fresh.id}));
  MessageQuery before_late = newest;
  before_late.cursor_id = late.id;
  EXPECT_EQ(page(before_late), std::vector<std::string>{early.id});
  MessageQuery before_time;
  before_time.before = kJan2024 + 2000;  // strictly before
  EXPECT_EQ(page(before_time), std::vector<std::string>{early.id});
  MessageQuery unknown;
  unknown.cursor_id = "cnotstored0000aaaaaaaaaaaa";
  EXPECT_TRUE(page(unknown).empty());

  auto sync = [&](SyncQuery q) {
    q.user_id = "s1";
    auto r = wait<std::vector<Message>>([&](auto d) { store_->sync_messages(q, d); });
    EXPECT_TRUE(r.ok());
    return r.ok() ? ids(*r) : std::vector<std::string>{};
  };
  EXPECT_EQ(sync({}), in_order);
  SyncQuery since_early;
  since_early.since_id = early.id;
  EXPECT_EQ(sync(since_early), (std::vector<std::string>{late.id, fresh.id}));
  SyncQuery since_late;
  since_late.since_id = late.id;  // a client whose last message was imported gets the new one
  EXPECT_EQ(sync(since_late), std::vector<std::string>{fresh.id});
  SyncQuery since_time;
  since_time.since_time = kJan2024 + 1000;  // strictly after
  EXPECT_EQ(sync(since_time), (std::vector<std::string>{late.id, fresh.id}));

  // Room lists sort by the last message's time: the room with a new message comes first even
  // though an imported room's last message id (a cuid) sorts above it.
  Room other = imported_room("b1", "s2");
  other.deleted_by_seller = false;
  Message old = imported_message("ckyyyyyyy0000aaaaaaaaaaaa", other, true, kJan2024 + 9000);
  other.buyer_last_message = LastMessage{old, true};
  other.pinned_by_buyer.reset();
  ImportBatch second;
  second.rooms = {other};
  second.messages = {old};
  ASSERT_TRUE(wait<ImportBatchResult>([&](auto d) { store_->import_batch(second, d); }).ok());
  ASSERT_TRUE(wait<Room>([&](auto d) { store_->set_pinned("b1.s1", Role::Buyer, false, d); }).ok());
  RoomQuery q;
  q.user_id = "b1";
  auto rooms = wait<std::vector<Room>>([&](auto d) { store_->list_rooms(q, d); });
  ASSERT_TRUE(rooms.ok());
  ASSERT_EQ(rooms->size(), 2u);
  EXPECT_EQ((*rooms)[0].id, "b1.s1");
  EXPECT_EQ((*rooms)[1].id, "b1.s2");
}

}  // namespace
}  // namespace cz::store::testing
