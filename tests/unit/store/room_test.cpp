#include "store/rules.hpp"
#include "store_test_support.hpp"

namespace cz::store::testing {
namespace {

using RoomTest = StoreTest;
CZ_STORE_BACKENDS(RoomTest);

std::vector<std::string> ids_of(const std::vector<Room>& rooms) {
  std::vector<std::string> ids;
  for (const Room& r : rooms) ids.push_back(r.id);
  return ids;
}

TEST_P(RoomTest, CreateStoresEveryField) {
  auto r = create_room("b1", "s1", "b1", "Fruit Shop", "Alice");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->outcome, CreateOutcome::Created);
  const Room& room = r->room;
  EXPECT_EQ(room.id, "b1.s1");
  EXPECT_EQ(room.type, "BS");
  EXPECT_EQ(room.creator, "b1");
  EXPECT_EQ(room.buyer, "b1");
  EXPECT_EQ(room.seller, "s1");
  EXPECT_EQ(room.shop_id, "shop-s1");
  EXPECT_EQ(room.shop_json, R"({"name":"Fruit Shop"})");
  EXPECT_EQ(room.buyer_info_json, R"({"name":"Alice","avatar":null})");
  EXPECT_FALSE(room.buyer_last_message);
  EXPECT_FALSE(room.seller_last_message);
  EXPECT_EQ(room.buyer_unseen_messages, 0);
  EXPECT_EQ(room.seller_unseen_messages, 0);
  EXPECT_FALSE(room.pinned_by_buyer || room.pinned_by_seller);
  EXPECT_FALSE(room.deleted_by_buyer || room.deleted_by_seller);
  EXPECT_TRUE(room.enable);
  EXPECT_NEAR(static_cast<double>(room.created_at), static_cast<double>(now_ms()), 5000.0);
  EXPECT_EQ(room.created_at, room.updated_at);

  auto got = wait<std::optional<Room>>([&](auto done) { store_->get_room("b1.s1", done); });
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->shop_json, room.shop_json);
  EXPECT_EQ((*got)->created_at, room.created_at);
}

TEST_P(RoomTest, GetUnknownRoomIsEmptyNotAnError) {
  auto got = wait<std::optional<Room>>([&](auto done) { store_->get_room("nobody.here", done); });
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST_P(RoomTest, CreateAgainReturnsTheExistingRoom) {
  make_room("b1", "s1");
  auto again = create_room("b1", "s1", "s1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, CreateOutcome::Existed);
  EXPECT_EQ(again->room.creator, "b1");  // the first creator stays
}

TEST_P(RoomTest, CreateReenablesARoomTheCreatorsSideDeleted) {
  make_room("b1", "s1");
  ASSERT_TRUE(wait<Room>([&](auto d) { store_->delete_room_side("b1.s1", Role::Seller, d); }).ok());
  ASSERT_TRUE(wait<Room>([&](auto d) { store_->delete_room_side("b1.s1", Role::Buyer, d); }).ok());

  auto by_buyer = create_room("b1", "s1", "b1");
  ASSERT_TRUE(by_buyer.ok());
  EXPECT_EQ(by_buyer->outcome, CreateOutcome::Reenabled);
  EXPECT_FALSE(by_buyer->room.deleted_by_buyer);
  EXPECT_FALSE(by_buyer->room.deleted_by_seller);  // both sides, as the original does

  // Deleted only by the other side: creating again does not re-enable.
  ASSERT_TRUE(wait<Room>([&](auto d) { store_->delete_room_side("b1.s1", Role::Seller, d); }).ok());
  auto again = create_room("b1", "s1", "b1");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, CreateOutcome::Existed);
  EXPECT_TRUE(again->room.deleted_by_seller);
}

TEST_P(RoomTest, CreateRefusesBadInput) {
  auto same = create_room("u1", "u1");
  ASSERT_FALSE(same.ok());
  EXPECT_EQ(same.error().code, "VALIDATION_ERROR");
  EXPECT_EQ(same.error().message, "Buyer is the same to seller");
  EXPECT_EQ(create_room("", "s1", "s1").error().code, "VALIDATION_ERROR");
  EXPECT_EQ(create_room("b1", "s1", "someone-else").error().code, "VALIDATION_ERROR");

  CreateRoom bad_json{"BS", "b1", "s1", "shop", "b1", "{not json", "null"};
  auto r = wait<CreateRoomResult>([&](auto d) { store_->create_room(bad_json, d); });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "VALIDATION_ERROR");

  // Nothing of the refused requests was stored.
  EXPECT_TRUE(rooms("b1", Role::Buyer).empty());
}

// "a.b" + "c" and "a" + "b.c" once shared the id "a.b.c": whoever came second could never open
// a room with the other. Dots (and '%', the escape) are escaped, so both rooms exist.
TEST_P(RoomTest, DotsInUserIdsCannotMakeRoomIdsCollide) {
  auto dotted_buyer = create_room("a.b", "c", "a.b");
  ASSERT_TRUE(dotted_buyer.ok()) << dotted_buyer.error().message;
  auto dotted_seller = create_room("a", "b.c", "a");
  ASSERT_TRUE(dotted_seller.ok()) << dotted_seller.error().message;
  EXPECT_EQ(dotted_buyer->room.id, "a%2Eb.c");
  EXPECT_EQ(dotted_seller->room.id, "a.b%2Ec");
  EXPECT_EQ(dotted_seller->outcome, CreateOutcome::Created);
  auto percent = create_room("a%2Eb", "c", "c");
  ASSERT_TRUE(percent.ok()) << percent.error().message;
  EXPECT_EQ(percent->room.id, "a%252Eb.c");
  EXPECT_EQ(percent->outcome, CreateOutcome::Created);
  // Ordinary ids keep the original's "<buyer>.<seller>".
  EXPECT_EQ(create_room("b1", "s1", "b1")->room.id, "b1.s1");
  EXPECT_EQ(store::room_id_of("b-1_x", "s@2"), "b-1_x.s@2");
}

TEST_P(RoomTest, UnknownRoomOperationsSayRoomNotFound) {
  auto enable = wait<Room>([&](auto d) { store_->enable_room("x.y", Role::Buyer, d); });
  auto pin = wait<Room>([&](auto d) { store_->set_pinned("x.y", Role::Buyer, true, d); });
  auto del = wait<Room>([&](auto d) { store_->delete_room_side("x.y", Role::Seller, d); });
  for (auto* r : {&enable, &pin, &del}) {
    ASSERT_FALSE(r->ok());
    EXPECT_EQ(r->error().code, "ROOM_NOT_FOUND");
  }
}

TEST_P(RoomTest, PinAndUnpinArePerSide) {
  make_room("b1", "s1");
  auto pinned = wait<Room>([&](auto d) { store_->set_pinned("b1.s1", Role::Buyer, true, d); });
  ASSERT_TRUE(pinned.ok());
  ASSERT_TRUE(pinned->pinned_by_buyer);
  EXPECT_NEAR(static_cast<double>(*pinned->pinned_by_buyer), static_cast<double>(now_ms()), 5000.0);
  EXPECT_FALSE(pinned->pinned_by_seller);
  auto unpinned = wait<Room>([&](auto d) { store_->set_pinned("b1.s1", Role::Buyer, false, d); });
  ASSERT_TRUE(unpinned.ok());
  EXPECT_FALSE(unpinned->pinned_by_buyer);
}

TEST_P(RoomTest, DeleteIsPerSideAndDropsThatSidesState) {
  make_room("b1", "s1");
  sent("b1.s1", "s1", "b1", "hello");
  ASSERT_TRUE(wait<Room>([&](auto d) { store_->set_pinned("b1.s1", Role::Buyer, true, d); }).ok());

  auto deleted = wait<Room>([&](auto d) { store_->delete_room_side("b1.s1", Role::Buyer, d); });
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->deleted_by_buyer);
  ASSERT_TRUE(deleted->buyer_deleted_at);
  EXPECT_FALSE(deleted->buyer_last_message);
  EXPECT_FALSE(deleted->pinned_by_buyer);
  EXPECT_EQ(deleted->buyer_unseen_messages, 0);
  // The seller keeps the room as it was.
  EXPECT_FALSE(deleted->deleted_by_seller);
  ASSERT_TRUE(deleted->seller_last_message);
  EXPECT_EQ(deleted->seller_last_message->message.content, "hello");

  EXPECT_TRUE(rooms("b1", Role::Buyer).empty());
  EXPECT_EQ(rooms("s1", Role::Seller).size(), 1u);

  auto enabled = wait<Room>([&](auto d) { store_->enable_room("b1.s1", Role::Buyer, d); });
  ASSERT_TRUE(enabled.ok());
  EXPECT_FALSE(enabled->deleted_by_buyer);
  EXPECT_EQ(rooms("b1", Role::Buyer).size(), 1u);
}

TEST_P(RoomTest, ANewMessageBringsADeletedRoomBack) {
  make_room("b1", "s1");
  ASSERT_TRUE(wait<Room>([&](auto d) { store_->delete_room_side("b1.s1", Role::Buyer, d); }).ok());
  EXPECT_TRUE(rooms("b1", Role::Buyer).empty());
  sent("b1.s1", "s1", "b1", "are you there?");
  auto back = rooms("b1", Role::Buyer);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_FALSE(back[0].deleted_by_buyer);
  EXPECT_TRUE(back[0].buyer_deleted_at);  // when it was last deleted stays known
  EXPECT_EQ(back[0].buyer_unseen_messages, 1);
  ASSERT_TRUE(back[0].buyer_last_message);
  EXPECT_EQ(back[0].buyer_last_message->message.content, "are you there?");
}

TEST_P(RoomTest, ListSortsPinnedFirstThenByThatSidesLastMessage) {
  make_room("b1", "s1");
  make_room("b1", "s2");
  make_room("b1", "s3");
  make_room("b1", "s4");  // no message at all: last
  sent("b1.s1", "b1", "s1", "one");
  sent("b1.s2", "s2", "b1", "two");
  sent("b1.s3", "b1", "s3", "three");
  EXPECT_EQ(ids_of(rooms("b1", Role::Buyer)),
            (std::vector<std::string>{"b1.s3", "b1.s2", "b1.s1", "b1.s4"}));

  ASSERT_TRUE(wait<Room>([&](auto d) { store_->set_pinned("b1.s1", Role::Buyer, true, d); }).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(3));  // distinct pin times
  ASSERT_TRUE(wait<Room>([&](auto d) { store_->set_pinned("b1.s4", Role::Buyer, true, d); }).ok());
  EXPECT_EQ(ids_of(rooms("b1", Role::Buyer)),
            (std::vector<std::string>{"b1.s4", "b1.s1", "b1.s3", "b1.s2"}));
  EXPECT_EQ(ids_of(rooms("b1", Role::Buyer, std::nullopt, true)),
            (std::vector<std::string>{"b1.s4", "b1.s1"}));
  EXPECT_EQ(ids_of(rooms("b1", Role::Buyer, std::nullopt, false)),
            (std::vector<std::string>{"b1.s3", "b1.s2"}));
  // The sellers' pins are their own.
  EXPECT_FALSE(rooms("s1", Role::Seller)[0].pinned_by_seller);
}

TEST_P(RoomTest, ListFiltersByTheOtherSidesNameCaseInsensitively) {
  make_room("b1", "s1", "Fresh Fruit", "Alice");
  make_room("b1", "s2", "Hardware", "Alice");
  make_room("b2", "s1", "Fresh Fruit", "Bob Fruitman");
  // A buyer searches shop names ...
  EXPECT_EQ(ids_of(rooms("b1", Role::Buyer, "fRUIT")), (std::vector<std::string>{"b1.s1"}));
  EXPECT_EQ(ids_of(rooms("b1", Role::Buyer, "alice")), (std::vector<std::string>{}));
  // ... a seller searches buyer names.
  EXPECT_EQ(ids_of(rooms("s1", Role::Seller, "FRUIT")), (std::vector<std::string>{"b2.s1"}));
  EXPECT_EQ(ids_of(rooms("s1", Role::Seller, "ali")), (std::vector<std::string>{"b1.s1"}));
  // An empty filter is no filter; LIKE wildcards are plain characters.
  EXPECT_EQ(rooms("b1", Role::Buyer, "").size(), 2u);
  EXPECT_TRUE(rooms("b1", Role::Buyer, "%").empty());
}

TEST_P(RoomTest, ListShowsOnlyTheUsersRoomsOnTheAskedSide) {
  make_room("u1", "u2");
  make_room("u2", "u3");
  EXPECT_EQ(ids_of(rooms("u2", Role::Buyer)), (std::vector<std::string>{"u2.u3"}));
  EXPECT_EQ(ids_of(rooms("u2", Role::Seller)), (std::vector<std::string>{"u1.u2"}));
  EXPECT_TRUE(rooms("u9", Role::Buyer).empty());
}

TEST_P(RoomTest, EachSideSeesItsOwnLastMessageCountersAndSeenFlag) {
  make_room("b1", "s1");
  const Message m1 = sent("b1.s1", "b1", "s1", "hi");
  const Message m2 = sent("b1.s1", "b1", "s1", "anyone?");
  Room r = room("b1.s1");
  EXPECT_EQ(r.buyer_unseen_messages, 0);
  EXPECT_EQ(r.seller_unseen_messages, 2);
  ASSERT_TRUE(r.buyer_last_message && r.seller_last_message);
  EXPECT_EQ(r.buyer_last_message->message.id, m2.id);
  EXPECT_EQ(r.seller_last_message->message.id, m2.id);
  EXPECT_TRUE(r.buyer_last_message->is_seen);    // the sender's own copy
  EXPECT_FALSE(r.seller_last_message->is_seen);  // the receiver has not read it
  EXPECT_EQ(r.buyer_last_message->message.content, "anyone?");
  EXPECT_EQ(r.buyer_last_message->message.from, "b1");
  EXPECT_EQ(r.buyer_last_message->message.created_at, m2.created_at);
  EXPECT_EQ(r.updated_at, m2.created_at);

  const Message m3 = sent("b1.s1", "s1", "b1", "yes");
  r = room("b1.s1");
  EXPECT_EQ(r.buyer_unseen_messages, 1);
  EXPECT_EQ(r.seller_unseen_messages, 2);  // sending does not mark what you received as read
  EXPECT_FALSE(r.buyer_last_message->is_seen);
  EXPECT_TRUE(r.seller_last_message->is_seen);
  EXPECT_EQ(r.seller_last_message->message.id, m3.id);
  (void)m1;
}

TEST_P(RoomTest, UnreadCountsAndPartners) {
  make_room("b1", "s1");
  make_room("b1", "s2");
  make_room("s1", "b1");  // b1 is the seller here
  sent("b1.s1", "s1", "b1", "1");
  sent("b1.s1", "s1", "b1", "2");
  sent("s1.b1", "s1", "b1", "3");
  sent("b1.s2", "b1", "s2", "4");
  auto counts = wait<std::vector<UnreadCount>>([&](auto d) { store_->unread_counts("b1", d); });
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 2u);
  EXPECT_EQ((*counts)[0].room_id, "b1.s1");
  EXPECT_EQ((*counts)[0].unseen, 2);
  EXPECT_EQ((*counts)[1].room_id, "s1.b1");
  EXPECT_EQ((*counts)[1].unseen, 1);

  auto partners = wait<std::vector<std::string>>([&](auto d) { store_->room_partners("b1", d); });
  ASSERT_TRUE(partners.ok());
  EXPECT_EQ(*partners, (std::vector<std::string>{"s1", "s2"}));  // s1 once, though in two rooms
}

}  // namespace
}  // namespace cz::store::testing
