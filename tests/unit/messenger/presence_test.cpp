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

}  // namespace
}  // namespace cz::messenger
