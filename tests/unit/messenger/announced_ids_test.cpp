// The window of message ids whose broadcast this node saw confirmed: a retry of one of these is
// acked without a second delivery; older ones fall out, oldest first.
#include "messenger/announced_ids.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cz::messenger {
namespace {

TEST(AnnouncedIds, RemembersTheLastIdsUpToItsCapacity) {
  AnnouncedIds ids(3);
  EXPECT_FALSE(ids.contains("m1"));
  ids.add("m1");
  ids.add("m2");
  ids.add("m3");
  EXPECT_TRUE(ids.contains("m1"));
  ids.add("m4");  // m1, the oldest, goes
  EXPECT_FALSE(ids.contains("m1"));
  EXPECT_TRUE(ids.contains("m2"));
  EXPECT_TRUE(ids.contains("m4"));
}

TEST(AnnouncedIds, AnIdAddedTwiceTakesOneSlot) {
  AnnouncedIds ids(2);
  ids.add("m1");
  ids.add("m1");
  ids.add("m2");
  EXPECT_TRUE(ids.contains("m1"));
  EXPECT_TRUE(ids.contains("m2"));
}

TEST(AnnouncedIds, AFullWindowKeepsExactlyTheLastIds) {
  AnnouncedIds ids(1000);
  auto id = [](int i) { return std::string(40, 'x') + std::to_string(i); };
  for (int i = 0; i < 2500; ++i) ids.add(id(i));
  for (int i = 0; i < 1500; ++i) EXPECT_FALSE(ids.contains(id(i))) << i;
  for (int i = 1500; i < 2500; ++i) EXPECT_TRUE(ids.contains(id(i))) << i;
}

TEST(AnnouncedIds, ManyTurnsOfTheWindowLoseNoIdToTheTablesDeletions) {
  // A half-full table has long probe runs; every add past the capacity deletes the oldest key
  // from the middle of one. A deletion that broke a run would hide a later id of it.
  constexpr int kCapacity = 4096;
  AnnouncedIds ids(kCapacity);
  auto id = [](int i) { return "01J" + std::to_string(i * 7919); };
  for (int i = 0; i < 20 * kCapacity; ++i) {
    ids.add(id(i));
    if (i % 997 == 0) {
      for (int back = 0; back < kCapacity && back <= i; back += 37) {
        ASSERT_TRUE(ids.contains(id(i - back))) << i << " - " << back;
      }
    }
  }
  const int last = 20 * kCapacity - 1;
  for (int back = 0; back < kCapacity; ++back) ASSERT_TRUE(ids.contains(id(last - back))) << back;
  for (int back = kCapacity; back < 3 * kCapacity; ++back) {
    ASSERT_FALSE(ids.contains(id(last - back))) << back;
  }
}

TEST(AnnouncedIds, CapacityZeroRemembersNothing) {
  AnnouncedIds ids(0);
  ids.add("m1");
  EXPECT_FALSE(ids.contains("m1"));
}

}  // namespace
}  // namespace cz::messenger
