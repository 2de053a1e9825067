// The work queue's lingering pop (the group-commit writer's commit window).
#include "store/work_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>
#include <vector>

namespace cz::store {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Takes one batch of a single item so that the queue counts as recently busy.
void take_one(WorkQueue<int>& q) {
  int x = 0;
  ASSERT_EQ(q.push(x), WorkQueue<int>::Push::Queued);
  std::vector<int> out;
  ASSERT_TRUE(q.pop_batch(out, 10));
}

TEST(WorkQueueTest, WithoutLingerTakesWhatIsThere) {
  WorkQueue<int> q(10);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(q.push(i), WorkQueue<int>::Push::Queued);
  std::vector<int> out;
  ASSERT_TRUE(q.pop_batch(out, 2));
  EXPECT_EQ(out, (std::vector<int>{0, 1}));
}

TEST(WorkQueueTest, LingeringGathersWritesThatArriveDuringTheWindow) {
  WorkQueue<int> q(100);
  take_one(q);
  auto consumer = std::async(std::launch::async, [&] {
    std::vector<int> out;
    q.pop_batch(out, 50, 300ms, 10s);
    return out;
  });
  // The first push wakes the consumer; the rest arrive within its window.
  for (int i = 0; i < 5; ++i) {
    int v = i;
    ASSERT_EQ(q.push(v), WorkQueue<int>::Push::Queued);
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(consumer.get(), (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(WorkQueueTest, AFullBatchEndsTheWindowEarly) {
  WorkQueue<int> q(100);
  take_one(q);
  const auto start = Clock::now();
  auto consumer = std::async(std::launch::async, [&] {
    std::vector<int> out;
    q.pop_batch(out, 3, 10s, 10s);
    return out;
  });
  for (int i = 0; i < 3; ++i) {
    int v = i;
    ASSERT_EQ(q.push(v), WorkQueue<int>::Push::Queued);
  }
  EXPECT_EQ(consumer.get(), (std::vector<int>{0, 1, 2}));
  EXPECT_LT(Clock::now() - start, 5s);
}

TEST(WorkQueueTest, AnIsolatedWriteIsTakenWithoutDelay) {
  WorkQueue<int> q(100);
  take_one(q);
  std::this_thread::sleep_for(50ms);  // longer than linger_if_within: the queue went quiet
  int v = 7;
  ASSERT_EQ(q.push(v), WorkQueue<int>::Push::Queued);
  const auto start = Clock::now();
  std::vector<int> out;
  ASSERT_TRUE(q.pop_batch(out, 10, 10s, 20ms));
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(out, (std::vector<int>{7}));
}

TEST(WorkQueueTest, ClosingEndsTheWindowAndDrains) {
  WorkQueue<int> q(100);
  take_one(q);
  auto consumer = std::async(std::launch::async, [&] {
    std::vector<int> out;
    const bool got = q.pop_batch(out, 50, 10s, 10s);
    return std::make_pair(got, out);
  });
  int v = 1;
  ASSERT_EQ(q.push(v), WorkQueue<int>::Push::Queued);
  std::this_thread::sleep_for(20ms);
  q.close();
  auto [got, out] = consumer.get();
  EXPECT_TRUE(got);
  EXPECT_EQ(out, (std::vector<int>{1}));
  std::vector<int> rest;
  EXPECT_FALSE(q.pop_batch(rest, 50, 10s, 10s));
}

TEST(WorkQueueTest, PausedDuringTheWindowWaitsForResume) {
  WorkQueue<int> q(100);
  take_one(q);
  auto consumer = std::async(std::launch::async, [&] {
    std::vector<int> out;
    q.pop_batch(out, 50, 100ms, 10s);
    return out;
  });
  int v = 1;
  ASSERT_EQ(q.push(v), WorkQueue<int>::Push::Queued);
  q.pause();
  int w = 2;
  ASSERT_EQ(q.push(w), WorkQueue<int>::Push::Queued);
  EXPECT_EQ(consumer.wait_for(300ms), std::future_status::timeout);
  q.resume();
  EXPECT_EQ(consumer.get(), (std::vector<int>{1, 2}));
}

}  // namespace
}  // namespace cz::store
