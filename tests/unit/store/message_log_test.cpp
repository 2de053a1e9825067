// The message log (store/sqlite/message_log.hpp) and what the SQLite store does with it: new
// messages are acknowledged once logged and indexed later (store/sqlite/unindexed.hpp).
#include "store/sqlite/message_log.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/sqlite/appender.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/unindexed.hpp"
#include "store_test_support.hpp"

namespace cz::store::testing {
namespace {

namespace fs = std::filesystem;
using sqlite::append_record;
using sqlite::decode_records;

Message sample(int i) {
  Message m;
  m.id = "01ID" + std::to_string(i);
  m.room_id = "b1.s1";
  m.from = "b1";
  m.to = "s1";
  m.type = i % 3 == 0 ? MessageType::Emoji : MessageType::Text;
  m.content = std::string(static_cast<std::size_t>(i), 'x') + "\xE2\x82\xAC";  // any bytes
  m.client_message_id = i % 2 == 0 ? "" : "c" + std::to_string(i);
  m.created_at = 1'700'000'000'000 + i;
  m.updated_at = m.created_at;
  return m;
}

void expect_same(const Message& a, const Message& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.room_id, b.room_id);
  EXPECT_EQ(a.from, b.from);
  EXPECT_EQ(a.to, b.to);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.content, b.content);
  EXPECT_EQ(a.client_message_id, b.client_message_id);
  EXPECT_EQ(a.created_at, b.created_at);
}

TEST(MessageLogCodec, RecordsDecodeToTheMessagesEncoded) {
  std::string bytes;
  for (int i = 0; i < 5; ++i) append_record(bytes, sample(i));
  const auto decoded = decode_records(bytes);
  ASSERT_EQ(decoded.messages.size(), 5u);
  EXPECT_EQ(decoded.valid_bytes, bytes.size());
  for (int i = 0; i < 5; ++i) expect_same(decoded.messages[i], sample(i));
}

TEST(MessageLogCodec, ATornTailEndsTheLogAtTheLastWholeRecord) {
  std::string bytes;
  append_record(bytes, sample(1));
  const std::size_t first = bytes.size();
  append_record(bytes, sample(2));
  // Every cut inside the second record keeps exactly the first.
  for (std::size_t cut = first; cut < bytes.size(); ++cut) {
    const auto decoded = decode_records(std::string_view(bytes).substr(0, cut));
    ASSERT_EQ(decoded.messages.size(), 1u) << "cut at " << cut;
    EXPECT_EQ(decoded.valid_bytes, first);
  }
}

TEST(MessageLogCodec, ADamagedRecordEndsTheLogThere) {
  std::string bytes;
  for (int i = 0; i < 3; ++i) append_record(bytes, sample(i));
  std::string one;
  append_record(one, sample(0));
  for (std::size_t at = one.size(); at < 2 * one.size(); ++at) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
    const auto decoded = decode_records(damaged);
    EXPECT_EQ(decoded.messages.size(), 1u) << "byte " << at << " changed";
  }
  EXPECT_TRUE(decode_records("").messages.empty());
  EXPECT_TRUE(decode_records(std::string(100, '\xff')).messages.empty());
}

// The handover between appender and writer (unindexed.hpp), without a database: a transaction
// that took messages and did not commit keeps them first, retries find messages wherever they
// wait, and only a commit lets them go, with the log segments that held them.
TEST(UnindexedMessages, TakenMessagesStayFindableUntilIndexedAndAFailedTakeIsRetriedFirst) {
  const fs::path dir = fs::path(::testing::TempDir()) / "cz-unindexed-handover";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string db = (dir / "db.sqlite").string();
  sqlite::UnindexedMessages unindexed(std::make_unique<sqlite::MessageLog>(db, false));
  auto publish = [&](int i) {
    std::vector<Message> batch{sample(i)};
    std::string records;
    append_record(records, batch[0]);
    unindexed.publish(batch, records, 1000);
  };
  auto found = [&](int i) {
    const Message m = sample(i);
    return unindexed.find_by_client_id(m.room_id, m.from, m.client_message_id).has_value();
  };
  auto segments = [&] {
    std::size_t n = 0;
    for (const auto& entry : fs::directory_iterator(dir))
      n += entry.path().string().find("-msglog-") != std::string::npos;
    return n;
  };
  publish(1);
  ASSERT_EQ(unindexed.take().size(), 1u);  // a transaction that will fail to commit
  publish(3);
  EXPECT_TRUE(found(1));
  EXPECT_TRUE(found(3));
  const std::vector<Message>& taken = unindexed.take();  // the next transaction: both, in order
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].id, sample(1).id);
  EXPECT_EQ(taken[1].id, sample(3).id);
  publish(5);  // arrives while it runs
  EXPECT_TRUE(found(1) && found(3) && found(5));
  EXPECT_EQ(unindexed.count(), 3u);
  EXPECT_EQ(segments(), 3u);
  unindexed.indexed();
  EXPECT_FALSE(found(1));
  EXPECT_FALSE(found(3));
  EXPECT_TRUE(found(5));
  EXPECT_EQ(unindexed.count(), 1u);
  EXPECT_EQ(unindexed.index_transactions(), 1u);
  EXPECT_EQ(unindexed.indexed_messages(), 2u);
  EXPECT_EQ(segments(), 1u) << "the segments of the indexed messages are deleted";
  fs::remove_all(dir);
}

// The SQLite store with its log.
class SqliteMessageLogTest : public StoreTest {
 protected:
  // The database's files as they are now, copied to `name`/: what a crash (kill -9, OOM) of the
  // process at this moment would leave. Returns the copy's database path.
  std::string crash_image(const std::string& name) {
    const fs::path db(options().path);
    const fs::path dir = db.parent_path() / name;
    fs::create_directories(dir);
    for (const auto& entry : fs::directory_iterator(db.parent_path())) {
      const std::string file = entry.path().filename().string();
      if (entry.is_regular_file() && file.rfind(db.filename().string(), 0) == 0 &&
          file.find("-shm") == std::string::npos) {
        fs::copy_file(entry.path(), dir / file);
      }
    }
    return (dir / db.filename()).string();
  }
  static std::int64_t rows_in_tables(const std::string& path) {
    sqlite::Connection db(path, {});
    sqlite::Query q = db.query("SELECT count(*) FROM messages");
    return q.step() ? q.integer(0) : -1;
  }
  static std::vector<std::string> segments_beside(const std::string& path) {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(fs::path(path).parent_path())) {
      const std::string file = entry.path().string();
      if (file.find("-msglog-") != std::string::npos) out.push_back(file);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  void open_at(const std::string& path) {
    store_.reset();
    auto o = options();
    o.path = path;
    auto s = std::make_unique<sqlite::SqliteStore>(std::move(o));
    sqlite_ = s.get();
    store_ = std::move(s);
  }
};
INSTANTIATE_TEST_SUITE_P(, SqliteMessageLogTest, ::testing::Values(Backend::Sqlite), backend_name);

TEST_P(SqliteMessageLogTest, AcknowledgedMessagesSurviveACrashBeforeTheyAreIndexed) {
  reopen({.index_batch = 100'000});  // nothing asks the writer to index them
  make_room("b1", "s1");
  std::vector<Message> acked;
  for (int i = 0; i < 50; ++i) acked.push_back(sent("b1.s1", "b1", "s1", "m" + std::to_string(i)));
  const std::string image = crash_image("crash");
  // The crash image's tables do not have them: only its log does.
  EXPECT_EQ(rows_in_tables(image), 0);

  open_at(image);  // replays the log
  const auto stored = page(messages_of("b1.s1", 100));
  ASSERT_EQ(stored.size(), acked.size());
  for (std::size_t i = 0; i < acked.size(); ++i) expect_same(stored[i], acked[i]);
  EXPECT_EQ(rows_in_tables(image), 50);
  // The replayed segments are gone; the store writes to a new one.
  EXPECT_EQ(segments_beside(image).size(), 1u);
  // New ids still sort after the replayed ones.
  EXPECT_GT(sent("b1.s1", "s1", "b1", "after").id, acked.back().id);
}

TEST_P(SqliteMessageLogTest, ATornLastRecordLosesOnlyThatMessage) {
  reopen({.index_batch = 100'000});
  make_room("b1", "s1");
  for (int i = 0; i < 10; ++i) sent("b1.s1", "b1", "s1", "m" + std::to_string(i));
  const std::string image = crash_image("torn");
  const auto segments = segments_beside(image);
  ASSERT_FALSE(segments.empty());
  const std::string last = segments.back();
  fs::resize_file(last, fs::file_size(last) - 3);  // the write of the last record was cut short

  open_at(image);
  const auto stored = page(messages_of("b1.s1", 100));
  ASSERT_EQ(stored.size(), 9u);
  EXPECT_EQ(stored.back().content, "m8");
}

TEST_P(SqliteMessageLogTest, ARetryFindsItsMessageWhetherIndexedOrNot) {
  reopen({.index_batch = 100'000});
  make_room("b1", "s1");
  auto first = send("b1.s1", "b1", "s1", "hello", "c-1");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->duplicate);
  auto waiting = send("b1.s1", "b1", "s1", "hello again", "c-1");  // still in the log only
  ASSERT_TRUE(waiting.ok());
  EXPECT_TRUE(waiting->duplicate);
  EXPECT_EQ(waiting->message.id, first->message.id);
  EXPECT_EQ(waiting->message.content, "hello");

  EXPECT_EQ(page(messages_of("b1.s1", 10)).size(), 1u);  // a read indexes it first
  auto indexed = send("b1.s1", "b1", "s1", "and again", "c-1");
  ASSERT_TRUE(indexed.ok());
  EXPECT_TRUE(indexed->duplicate);
  EXPECT_EQ(indexed->message.id, first->message.id);
  // Another sender's, or another room's, same client id is a new message.
  auto other = send("b1.s1", "s1", "b1", "mine", "c-1");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->duplicate);
}

// The appender keeps its read snapshot between messages (appender.hpp); a message indexed after
// that snapshot began has left the waiting ones, so a retry of it must make the appender look
// in a newer snapshot. Driven without the store, whose after-commit hook would also drop the
// snapshot here: this is the index generation's guarantee alone.
TEST_P(SqliteMessageLogTest, AHeldSnapshotIsRenewedOnceTheWriterIndexed) {
  make_room("b1", "s1");
  store_->shutdown();
  const std::string path = options().path;
  sqlite::UnindexedMessages unindexed(nullptr);
  sqlite::Connection writer(path, {});
  writer.index_at_begin(&unindexed);
  sqlite::Appender appender(
      std::make_unique<sqlite::Connection>(path, sqlite::ConnectionOptions{.read_only = true}),
      unindexed, 1000, 1000, std::chrono::milliseconds(0), [] {},
      /*hold_snapshot=*/true);
  auto append = [&](const std::string& client_id) {
    appender.begin();
    auto r = appender.insert({"b1.s1", "b1", "s1", MessageType::Text, "x", client_id});
    appender.commit();
    return r;
  };
  auto first = append("c-1");
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(append("c-2").ok());  // its check of the table opened the snapshot
  writer.begin();                   // indexes both
  writer.commit();
  EXPECT_EQ(unindexed.count(), 0u);
  auto retry = append("c-1");
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->message.id, first->message.id);
  auto fresh = append("c-3");
  ASSERT_TRUE(fresh.ok());
  EXPECT_FALSE(fresh->duplicate);
  appender.release_snapshot();
}

TEST_P(SqliteMessageLogTest, OtherWritesSeeMessagesThatWaitToBeIndexed) {
  reopen({.index_batch = 100'000});
  make_room("b1", "s1");
  const Message m = sent("b1.s1", "b1", "s1", "to be seen");
  // mark_seen runs on the writer, which stores what waits first.
  auto seen = wait<std::vector<std::string>>(
      [&](auto done) { store_->mark_seen("b1.s1", "s1", std::nullopt, done); });
  ASSERT_TRUE(seen.ok());
  ASSERT_EQ(seen->size(), 1u);
  EXPECT_EQ(seen->front(), m.id);
}

}  // namespace
}  // namespace cz::store::testing
