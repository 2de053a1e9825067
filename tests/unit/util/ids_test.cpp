#include "util/ids.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

namespace cz {
namespace {

TEST(Ids, HaveTheDocumentedShape) {
  const GeneratedId g = generate_id();
  EXPECT_EQ(g.id.size(), kIdLength);
  EXPECT_TRUE(is_valid_id(g.id));
  EXPECT_EQ(id_timestamp(g.id), g.time_ms);
  EXPECT_NEAR(static_cast<double>(g.time_ms), static_cast<double>(now_ms()), 5000.0);
  for (char c : g.id)
    EXPECT_NE(std::string("0123456789ABCDEFGHJKMNPQRSTVWXYZ").find(c), std::string::npos);
}

TEST(Ids, TimestampDecodesLikeUlid) {
  // The ULID spec's example time prefix: 01ARZ3NDEK = 1469922850259 ms.
  EXPECT_EQ(id_timestamp("01ARZ3NDEKTSV4RRFFQ69G5FAV"), 1469922850259);
  EXPECT_EQ(id_floor_for_time(1469922850259), "01ARZ3NDEK0000000000000000");
  EXPECT_EQ(id_floor_for_time(0), std::string(kIdLength, '0'));
  EXPECT_EQ(id_floor_for_time(-10), std::string(kIdLength, '0'));
}

TEST(Ids, ValidationRejectsForeignText) {
  EXPECT_FALSE(is_valid_id(""));
  EXPECT_FALSE(is_valid_id("01ARZ3NDEKTSV4RRFFQ69G5FA"));    // 25 chars
  EXPECT_FALSE(is_valid_id("01ARZ3NDEKTSV4RRFFQ69G5FAVV"));  // 27 chars
  EXPECT_FALSE(is_valid_id("81ARZ3NDEKTSV4RRFFQ69G5FAV"));   // over 128 bits
  EXPECT_FALSE(is_valid_id("01ARZ3NDEKTSV4RRFFQ69G5FAU"));   // U is not in the alphabet
  EXPECT_FALSE(is_valid_id("01arz3ndektsv4rrffq69g5fav"));   // we only write upper case
  EXPECT_FALSE(id_timestamp("nope"));
}

TEST(Ids, StrictlyIncreasingWithinOneMillisecondAndWhenTheClockStepsBack) {
  const TimeMs t = now_ms() + 10'000;  // ahead of every id handed out so far
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(generate_id_at(t).id);
  ids.push_back(generate_id_at(t - 5000).id);  // clock went back: still larger
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  EXPECT_EQ(id_timestamp(ids.front()), t);
  EXPECT_EQ(id_timestamp(ids.back()), t);  // the same ms: only the sequence advanced
}

TEST(Ids, SequenceOverflowCarriesIntoTheTimestamp) {
  const TimeMs t = now_ms() + 20'000;
  std::string previous = generate_id_at(t).id;
  for (int i = 0; i < 70'000; ++i) {  // more than 2^16 ids in one millisecond
    std::string next = generate_id_at(t).id;
    ASSERT_LT(previous, next);
    previous = std::move(next);
  }
  EXPECT_EQ(id_timestamp(previous), t + 1);
  // Once the caller's clock passes the carried time, ids follow the clock again.
  EXPECT_EQ(generate_id_at(t + 5).time_ms, t + 5);
}

TEST(Ids, ConcurrentGenerationIsUniqueAndOrderedPerThread) {
  constexpr int kThreads = 4, kPerThread = 20'000;
  std::vector<std::vector<std::string>> per_thread(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) per_thread[t].push_back(generate_id().id);
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  for (auto& ids : per_thread) {
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(all.size(), std::size_t{kThreads * kPerThread});
}

TEST(Ids, OrderAcrossThreadsFollowsHappensBefore) {
  // An id drawn after another thread's id became visible is larger, even within one ms.
  for (int round = 0; round < 200; ++round) {
    std::string first;
    std::thread a([&] { first = generate_id().id; });
    a.join();
    std::string second;
    std::thread b([&] { second = generate_id().id; });
    b.join();
    ASSERT_LT(first, second);
  }
}

// Last: it moves the process-wide generator ten minutes ahead.
TEST(Ids, AdvancingPastAnIdKeepsNewIdsAboveIt) {
  const TimeMs future = now_ms() + 600'000;  // beyond every other test's clock
  // An id this process did not generate, e.g. read from a database written before the clock
  // stepped back.
  const std::string stored = id_floor_for_time(future);
  ASSERT_LT(generate_id().id, stored);
  advance_ids_past(stored);
  const std::string next = generate_id().id;
  EXPECT_GT(next, stored);
  EXPECT_EQ(id_timestamp(next), future);  // the stored id's millisecond, next sequence
  // A smaller id or foreign text changes nothing.
  advance_ids_past("01ARZ3NDEKTSV4RRFFQ69G5FAV");
  advance_ids_past("not an id");
  EXPECT_GT(generate_id().id, next);
  EXPECT_EQ(id_timestamp(generate_id().id), future);
}

}  // namespace
}  // namespace cz
