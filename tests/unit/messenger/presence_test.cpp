#include "messenger/presence.hpp"

#include <gtest/gtest.h>

namespace cz::messenger {
namespace {

bool connect(LocalPresence& p, const std::string& user, store::Role role = store::Role::Buyer) {
  bool first = false;
  p.connected(user, role, [&](bool f) { first = f; });
  return first;
}

bool disconnect(LocalPresence& p, const std::string& user, TimeMs now) {
  bool last = false;
  p.disconnected(user, store::Role::Buyer, now, [&](bool l) { last = l; });
  return last;
}

std::vector<UserStatus> query(LocalPresence& p, std::vector<std::string> ids, TimeMs now) {
  std::vector<UserStatus> out;
  p.query(std::move(ids), now, [&](std::vector<UserStatus> s) { out = std::move(s); });
  return out;
}

TEST(LocalPresence, FirstAndLastSocketOfAUser) {
  LocalPresence p;
  EXPECT_TRUE(connect(p, "u1"));
  EXPECT_FALSE(connect(p, "u1")) << "second tab";
  EXPECT_TRUE(connect(p, "u2"));
  EXPECT_FALSE(disconnect(p, "u1", 100));
  EXPECT_TRUE(disconnect(p, "u1", 200));
  EXPECT_FALSE(disconnect(p, "u1", 300)) << "no socket left to lose";
  EXPECT_FALSE(disconnect(p, "never", 300));
  EXPECT_TRUE(connect(p, "u1")) << "back online";
}

TEST(LocalPresence, StatusOfOnlineOfflineAndUnknownUsers) {
  LocalPresence p;
  connect(p, "on", store::Role::Seller);
  connect(p, "off");
  disconnect(p, "off", 1234);
  const auto s = query(p, {"on", "off", "nobody"}, 5000);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].user_id, "on");
  EXPECT_TRUE(s[0].online);
  EXPECT_EQ(s[0].role, store::Role::Seller);
  EXPECT_EQ(s[0].last_seen, 5000);
  EXPECT_EQ(s[1].user_id, "off");
  EXPECT_FALSE(s[1].online);
  EXPECT_EQ(s[1].last_seen, 1234);
  EXPECT_EQ(s[2].user_id, "nobody");
  EXPECT_FALSE(s[2].online);
  EXPECT_FALSE(s[2].role);
  EXPECT_FALSE(s[2].last_seen);
}

TEST(LocalPresence, ForgetsTheLeastRecentlySeenOfflineUsersBeyondTheCap) {
  LocalPresence p(2);
  connect(p, "online", store::Role::Seller);
  for (const char* u : {"a", "b", "c"}) connect(p, u);
  disconnect(p, "a", 10);
  disconnect(p, "b", 20);
  EXPECT_EQ(p.size(), 4u);
  disconnect(p, "c", 30);  // a, the oldest offline, is dropped
  EXPECT_EQ(p.size(), 3u);
  auto s = query(p, {"a", "b", "c", "online"}, 99);
  EXPECT_FALSE(s[0].last_seen) << "a forgotten";
  EXPECT_FALSE(s[0].role);
  EXPECT_EQ(s[1].last_seen, 20);
  EXPECT_EQ(s[2].last_seen, 30);
  EXPECT_TRUE(s[3].online) << "online users are never dropped";

  // Coming back online takes a user out of the offline list; leaving again makes it the most
  // recent one, so the next drop is the oldest other user.
  EXPECT_TRUE(connect(p, "b"));
  EXPECT_TRUE(disconnect(p, "b", 40));
  connect(p, "d");
  disconnect(p, "d", 50);  // offline now: b(40), d(50), c(30) -> c goes
  s = query(p, {"b", "c", "d"}, 99);
  EXPECT_EQ(s[0].last_seen, 40);
  EXPECT_FALSE(s[1].last_seen) << "c was the least recently seen";
  EXPECT_EQ(s[2].last_seen, 50);
  EXPECT_EQ(p.size(), 3u);  // online, b, d
}

TEST(LocalPresence, MemoryStaysBoundedUnderChurn) {
  LocalPresence p(100);
  for (int i = 0; i < 10000; ++i) {
    auto id = "u" + std::to_string(i);
    connect(p, id);
    disconnect(p, id, i);
  }
  EXPECT_EQ(p.size(), 100u);
  auto s = query(p, {"u9999", "u9900", "u9899"}, 0);
  EXPECT_EQ(s[0].last_seen, 9999);
  EXPECT_EQ(s[1].last_seen, 9900);
  EXPECT_FALSE(s[2].last_seen);
}

TEST(LocalPresence, ListsOnlineUsersWithTheirSocketCounts) {
  LocalPresence p;
  connect(p, "x", store::Role::Seller);
  connect(p, "x", store::Role::Seller);
  connect(p, "y");
  disconnect(p, "y", 1);
  auto online = p.online_users();
  ASSERT_EQ(online.size(), 1u);
  EXPECT_EQ(online[0].user_id, "x");
  EXPECT_EQ(online[0].sockets, 2u);
  EXPECT_EQ(online[0].role, store::Role::Seller);
}

}  // namespace
}  // namespace cz::messenger
