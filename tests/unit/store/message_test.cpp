#include <algorithm>
#include <set>
#include <thread>

#include "store_test_support.hpp"
#include "util/ids.hpp"

namespace cz::store::testing {
namespace {

using MessageTest = StoreTest;
CZ_STORE_BACKENDS(MessageTest);

TEST_P(MessageTest, InsertReturnsTheStoredMessage) {
  make_room("b1", "s1");
  auto r = send("b1.s1", "b1", "s1", "http://img/1.png", "c-1", MessageType::Image);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->duplicate);
  const Message& m = r->message;
  EXPECT_TRUE(is_valid_id(m.id));
  EXPECT_EQ(id_timestamp(m.id), m.created_at);  // the invariant the time bounds rely on
  EXPECT_EQ(m.created_at, m.updated_at);
  EXPECT_EQ(m.room_id, "b1.s1");
  EXPECT_EQ(m.from, "b1");
  EXPECT_EQ(m.to, "s1");
  EXPECT_EQ(m.type, MessageType::Image);
  EXPECT_EQ(m.content, "http://img/1.png");
  EXPECT_EQ(m.client_message_id, "c-1");
  EXPECT_FALSE(m.is_seen);

  auto got = wait<std::optional<Message>>([&](auto d) { store_->get_message(m.id, d); });
  ASSERT_TRUE(got.ok() && got->has_value());
  const Message& g = **got;
  EXPECT_EQ(g.id, m.id);
  EXPECT_EQ(g.type, MessageType::Image);
  EXPECT_EQ(g.content, m.content);
  EXPECT_EQ(g.client_message_id, "c-1");
  EXPECT_EQ(g.created_at, m.created_at);

  auto none = wait<std::optional<Message>>([&](auto d) { store_->get_message("nope", d); });
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_P(MessageTest, ContentIsStoredByteForByte) {
  make_room("b1", "s1");
  const std::string content =
      std::string("emoji \xF0\x9F\x98\x80 quote ' \" nul-free ") + std::string(100'000, 'x');
  auto r = send("b1.s1", "b1", "s1", content, "", MessageType::Emoji);
  ASSERT_TRUE(r.ok());
  auto got = wait<std::optional<Message>>([&](auto d) { store_->get_message(r->message.id, d); });
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->content, content);
  EXPECT_EQ((*got)->type, MessageType::Emoji);
}

TEST_P(MessageTest, ARetryWithTheSameClientIdReturnsTheFirstMessage) {
  make_room("b1", "s1");
  auto first = send("b1.s1", "b1", "s1", "hello", "client-42");
  auto retry = send("b1.s1", "b1", "s1", "hello", "client-42");
  ASSERT_TRUE(first.ok() && retry.ok());
  EXPECT_FALSE(first->duplicate);
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->message.id, first->message.id);
  EXPECT_EQ(retry->message.created_at, first->message.created_at);
  Room r = room("b1.s1");
  EXPECT_EQ(r.seller_unseen_messages, 1);  // counted once
  EXPECT_EQ(page(messages_of("b1.s1", 100)).size(), 1u);

  // The same client id from the other user is a different message; no client id never dedups.
  auto other = send("b1.s1", "s1", "b1", "hello", "client-42");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->duplicate);
  EXPECT_FALSE(send("b1.s1", "b1", "s1", "x").value().duplicate);
  EXPECT_FALSE(send("b1.s1", "b1", "s1", "x").value().duplicate);
  EXPECT_EQ(page(messages_of("b1.s1", 100)).size(), 4u);
}

TEST_P(MessageTest, RetriesInOneBatchAreDeduplicatedToo) {
  make_room("b1", "s1");
  pause_writes();
  std::vector<std::future<Result<InsertMessageResult>>> results;
  for (int i = 0; i < 5; ++i) {
    auto p = std::make_shared<std::promise<Result<InsertMessageResult>>>();
    results.push_back(p->get_future());
    store_->insert_message({"b1.s1", "b1", "s1", MessageType::Text, "same", "dup"},
                           [p](Result<InsertMessageResult> r) { p->set_value(std::move(r)); });
  }
  resume_writes();
  std::set<std::string> ids;
  int duplicates = 0;
  for (auto& f : results) {
    auto r = f.get();
    ASSERT_TRUE(r.ok());
    ids.insert(r->message.id);
    duplicates += r->duplicate;
  }
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(duplicates, 4);
  EXPECT_EQ(room("b1.s1").seller_unseen_messages, 1);
}

TEST_P(MessageTest, RefusesUnknownRoomsAndStrangers) {
  make_room("b1", "s1");
  auto unknown = send("b9.s9", "b9", "s9", "hi");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "ROOM_NOT_FOUND");
  EXPECT_EQ(send("b1.s1", "mallory", "s1", "hi").error().code, "FORBIDDEN");
  EXPECT_EQ(send("b1.s1", "b1", "mallory", "hi").error().code, "FORBIDDEN");
  EXPECT_EQ(send("b1.s1", "b1", "b1", "hi").error().code, "FORBIDDEN");
  EXPECT_TRUE(page(messages_of("b1.s1", 100)).empty());
  EXPECT_EQ(room("b1.s1").seller_unseen_messages, 0);
}

// Both stores check the room and its members before they look a retry up (store/operations.hpp):
// a client id the sender has used does not let a message through to another recipient or room.
TEST_P(MessageTest, ARetryIsCheckedLikeAFirstSend) {
  make_room("b1", "s1");
  ASSERT_TRUE(send("b1.s1", "b1", "s1", "hello", "client-7").ok());
  EXPECT_EQ(send("b1.s1", "b1", "mallory", "hello", "client-7").error().code, "FORBIDDEN");
  EXPECT_EQ(send("b9.s9", "b1", "s9", "hello", "client-7").error().code, "ROOM_NOT_FOUND");
  EXPECT_EQ(page(messages_of("b1.s1", 100)).size(), 1u);
}

TEST_P(MessageTest, CountersAreExactUnderConcurrentInserts) {
  make_room("b1", "s1");
  make_room("b2", "s1");
  constexpr int kThreads = 6, kPerThread = 150;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Threads 0..2 write b1 -> s1, 3..4 s1 -> b1, 5 b2 -> s1; all asynchronously at once.
      const std::string room_id = t == 5 ? "b2.s1" : "b1.s1";
      const std::string from = t < 3 ? "b1" : t < 5 ? "s1" : "b2";
      const std::string to = t < 3 ? "s1" : t < 5 ? "b1" : "s1";
      std::vector<std::future<void>> pending;
      for (int i = 0; i < kPerThread; ++i) {
        auto p = std::make_shared<std::promise<void>>();
        pending.push_back(p->get_future());
        const std::string cid = i % 3 == 0 ? "t" + std::to_string(t) + "-" + std::to_string(i) : "";
        store_->insert_message({room_id, from, to, MessageType::Text, "m", cid},
                               [p, &failures](Result<InsertMessageResult> r) {
                                 if (!r.ok()) ++failures;
                                 p->set_value();
                               });
      }
      for (auto& f : pending) f.get();
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  Room r1 = room("b1.s1");
  EXPECT_EQ(r1.seller_unseen_messages, 3 * kPerThread);
  EXPECT_EQ(r1.buyer_unseen_messages, 2 * kPerThread);
  EXPECT_EQ(room("b2.s1").seller_unseen_messages, kPerThread);
  auto all = page(messages_of("b1.s1", 1000));
  EXPECT_EQ(all.size(), std::size_t{5 * kPerThread});
  // The last message is the newest of them all.
  EXPECT_EQ(r1.buyer_last_message->message.id, all.back().id);
  EXPECT_EQ(r1.seller_last_message->message.id, all.back().id);
  // Concurrent writes were grouped (SQLite appends them inline, under a lock: nothing queues).
  if (!sqlite_) {
    EXPECT_GT(store_->stats().largest_batch, 1u);
  }
}

TEST_P(MessageTest, PagesThroughAThousandMessagesBothWaysExactlyOnce) {
  make_room("b1", "s1");
  std::vector<std::string> inserted;
  pause_writes();  // one big batch: many messages share a millisecond
  std::vector<std::future<Result<InsertMessageResult>>> results;
  for (int i = 0; i < 1000; ++i) {
    auto p = std::make_shared<std::promise<Result<InsertMessageResult>>>();
    results.push_back(p->get_future());
    store_->insert_message({"b1.s1", i % 2 ? "b1" : "s1", i % 2 ? "s1" : "b1", MessageType::Text,
                            std::to_string(i), ""},
                           [p](Result<InsertMessageResult> r) { p->set_value(std::move(r)); });
  }
  resume_writes();
  for (auto& f : results) inserted.push_back(f.get().value().message.id);
  ASSERT_TRUE(std::is_sorted(inserted.begin(), inserted.end()));  // ids follow insertion order

  for (Order order : {Order::OldestFirst, Order::NewestFirst}) {
    std::vector<std::string> seen;
    MessageQuery q = messages_of("b1.s1", 37);
    q.order = order;
    for (;;) {
      auto batch = page(q);
      if (batch.empty()) break;
      ASSERT_LE(batch.size(), 37u);
      for (const Message& m : batch) seen.push_back(m.id);
      q.cursor_id = batch.back().id;
    }
    std::vector<std::string> expected = inserted;
    if (order == Order::NewestFirst) std::reverse(expected.begin(), expected.end());
    EXPECT_EQ(seen, expected);
  }
  // Content and order agree: message i has content "i".
  auto first = page(messages_of("b1.s1", 3));
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].content, "0");
  EXPECT_EQ(first[2].content, "2");
}

TEST_P(MessageTest, PagingIsStableWhileMessagesArrive) {
  make_room("b1", "s1");
  for (int i = 0; i < 30; ++i) sent("b1.s1", "b1", "s1", "old");
  MessageQuery q = messages_of("b1.s1", 10);
  q.order = Order::NewestFirst;
  std::vector<Message> seen;
  auto batch = page(q);
  while (!batch.empty()) {
    seen.insert(seen.end(), batch.begin(), batch.end());
    sent("b1.s1", "s1", "b1", "new");  // arrives between pages: does not shift the next page
    q.cursor_id = batch.back().id;
    batch = page(q);
  }
  ASSERT_EQ(seen.size(), 30u);
  for (const Message& m : seen) EXPECT_EQ(m.content, "old");
}

TEST_P(MessageTest, BeforeTimeAndLimitBounds) {
  make_room("b1", "s1");
  const Message a = sent("b1.s1", "b1", "s1", "a");
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  const Message b = sent("b1.s1", "b1", "s1", "b");
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  const Message c = sent("b1.s1", "b1", "s1", "c");
  ASSERT_LT(a.created_at, b.created_at);
  ASSERT_LT(b.created_at, c.created_at);

  MessageQuery q = messages_of("b1.s1", 15);
  q.before = c.created_at;  // strictly before
  auto got = page(q);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, a.id);
  EXPECT_EQ(got[1].id, b.id);
  q.order = Order::NewestFirst;
  got = page(q);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, b.id);
  q.cursor_id = b.id;  // cursor and time together: the tighter bound wins
  got = page(q);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, a.id);

  EXPECT_EQ(page(messages_of("b1.s1", 2)).size(), 2u);
  EXPECT_TRUE(page(messages_of("b1.s1", 0)).empty());
  EXPECT_EQ(page(messages_of("b1.s1", 1'000'000)).size(), 3u);  // clamped, not an error
  EXPECT_TRUE(page(messages_of("other.room", 15)).empty());
}

TEST_P(MessageTest, MarkSeenMarksOnlyTheReadersMessagesAndRecounts) {
  make_room("b1", "s1");
  const Message to_b1 = sent("b1.s1", "s1", "b1", "0");
  const Message to_s1_a = sent("b1.s1", "b1", "s1", "1");
  const Message to_s1_b = sent("b1.s1", "b1", "s1", "2");
  const Message to_s1_c = sent("b1.s1", "b1", "s1", "3");
  ASSERT_EQ(room("b1.s1").seller_unseen_messages, 3);

  // Some ids: only those addressed to the reader change; the count keeps the rest.
  auto some = wait<std::vector<std::string>>([&](auto d) {
    store_->mark_seen("b1.s1", "s1", std::vector<std::string>{to_s1_a.id, to_b1.id, "bogus"}, d);
  });
  ASSERT_TRUE(some.ok());
  EXPECT_EQ(*some, (std::vector<std::string>{to_s1_a.id}));
  Room r = room("b1.s1");
  EXPECT_EQ(r.seller_unseen_messages, 2);
  EXPECT_FALSE(r.seller_last_message->is_seen);

  // All: the rest, then nothing left; marking again changes nothing.
  auto all = wait<std::vector<std::string>>(
      [&](auto d) { store_->mark_seen("b1.s1", "s1", std::nullopt, d); });
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (std::vector<std::string>{to_s1_b.id, to_s1_c.id}));
  r = room("b1.s1");
  EXPECT_EQ(r.seller_unseen_messages, 0);
  EXPECT_TRUE(r.seller_last_message->is_seen);
  EXPECT_EQ(r.buyer_unseen_messages, 1);  // the other side is untouched
  auto again = wait<std::vector<std::string>>(
      [&](auto d) { store_->mark_seen("b1.s1", "s1", std::nullopt, d); });
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());

  auto stored = wait<std::optional<Message>>([&](auto d) { store_->get_message(to_s1_b.id, d); });
  EXPECT_TRUE((*stored)->is_seen);
  EXPECT_GE((*stored)->updated_at, (*stored)->created_at);
  auto other = wait<std::optional<Message>>([&](auto d) { store_->get_message(to_b1.id, d); });
  EXPECT_FALSE((*other)->is_seen);
}

TEST_P(MessageTest, MarkSeenRefusesUnknownRoomsAndStrangers) {
  make_room("b1", "s1");
  auto unknown = wait<std::vector<std::string>>(
      [&](auto d) { store_->mark_seen("x.y", "x", std::nullopt, d); });
  EXPECT_EQ(unknown.error().code, "ROOM_NOT_FOUND");
  auto stranger = wait<std::vector<std::string>>(
      [&](auto d) { store_->mark_seen("b1.s1", "mallory", std::nullopt, d); });
  EXPECT_EQ(stranger.error().code, "FORBIDDEN");
}

TEST_P(MessageTest, OnlyTheSenderCanEdit) {
  make_room("b1", "s1");
  const Message m = sent("b1.s1", "b1", "s1", "tpyo");
  auto forbidden =
      wait<Message>([&](auto d) { store_->update_message_content(m.id, "s1", "hacked", d); });
  ASSERT_FALSE(forbidden.ok());
  EXPECT_EQ(forbidden.error().code, "FORBIDDEN");
  auto missing =
      wait<Message>([&](auto d) { store_->update_message_content("nope", "b1", "x", d); });
  EXPECT_EQ(missing.error().code, "MESSAGE_NOT_FOUND");

  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  auto edited =
      wait<Message>([&](auto d) { store_->update_message_content(m.id, "b1", "typo", d); });
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited->content, "typo");
  EXPECT_EQ(edited->created_at, m.created_at);
  EXPECT_GT(edited->updated_at, m.updated_at);
  // The room's last message shows the edit (it references the message).
  EXPECT_EQ(room("b1.s1").seller_last_message->message.content, "typo");
}

TEST_P(MessageTest, SyncReturnsEverythingToOrFromTheUserAfterTheCursor) {
  make_room("b1", "s1");
  make_room("b2", "s1");
  make_room("b3", "s3");
  const Message m1 = sent("b1.s1", "b1", "s1", "1");
  const Message m2 = sent("b2.s1", "s1", "b2", "2");
  sent("b3.s3", "b3", "s3", "unrelated");
  const Message m3 = sent("b1.s1", "s1", "b1", "3");

  auto sync = [&](SyncQuery q) {
    auto r = wait<std::vector<Message>>([&](auto d) { store_->sync_messages(q, d); });
    EXPECT_TRUE(r.ok());
    std::vector<std::string> ids;
    for (const Message& m : *r) ids.push_back(m.id);
    return ids;
  };
  EXPECT_EQ(sync(sync_of("s1")), (std::vector<std::string>{m1.id, m2.id, m3.id}));
  EXPECT_EQ(sync(sync_of("s1", m1.id)), (std::vector<std::string>{m2.id, m3.id}));
  EXPECT_EQ(sync(sync_of("s1", std::nullopt, std::nullopt, 2)),
            (std::vector<std::string>{m1.id, m2.id}));
  EXPECT_EQ(sync(sync_of("b1", m1.id)), (std::vector<std::string>{m3.id}));
  EXPECT_TRUE(sync(sync_of("s1", m3.id)).empty());

  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  const Message m4 = sent("b2.s1", "b2", "s1", "4");
  EXPECT_EQ(sync(sync_of("s1", std::nullopt, m3.created_at)), (std::vector<std::string>{m4.id}));
  EXPECT_EQ(sync(sync_of("s1", std::nullopt, m4.created_at)), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace cz::store::testing
