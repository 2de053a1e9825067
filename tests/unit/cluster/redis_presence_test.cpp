// RedisPresence against a real redis-server (skipped when the binary is missing): two presence
// instances on one Redis play two cluster nodes.
#include "cluster/redis_presence.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "redis_test_server.hpp"

namespace cz::cluster {
namespace {

using namespace std::chrono_literals;
using testing::run_until;
using testing::TestRedisServer;

constexpr auto kTtl = 1000ms;

class RedisPresenceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_redis_server()) GTEST_SKIP() << "redis-server not installed";
    redis_.emplace();
  }
  void TearDown() override {
    for (auto& node : nodes_) node->stop();
  }

  std::shared_ptr<RedisPresence> node() {
    RedisPresenceOptions o;
    o.ttl = kTtl;
    auto p =
        RedisPresence::create(io_.get_executor(), RedisEndpoint{"127.0.0.1", redis_->port()}, o);
    p->start();
    nodes_.push_back(p);
    EXPECT_TRUE(run_until(
        io_, [&] { return !p->epoch().empty(); }, 5s))
        << "never connected";
    return p;
  }

  bool connect(RedisPresence& p, const std::string& user, store::Role role = store::Role::Buyer) {
    std::optional<bool> first;
    p.connected(user, role, [&](bool f) { first = f; });
    EXPECT_TRUE(run_until(
        io_, [&] { return first.has_value(); }, 5s));
    return first.value_or(false);
  }
  bool disconnect(RedisPresence& p, const std::string& user, TimeMs now,
                  store::Role role = store::Role::Buyer) {
    std::optional<bool> last;
    p.disconnected(user, role, now, [&](bool l) { last = l; });
    EXPECT_TRUE(run_until(
        io_, [&] { return last.has_value(); }, 5s));
    return last.value_or(false);
  }
  messenger::UserStatus status(RedisPresence& p, const std::string& user, TimeMs now = 777) {
    std::optional<std::vector<messenger::UserStatus>> out;
    p.query({user}, now, [&](std::vector<messenger::UserStatus> s) { out = std::move(s); });
    EXPECT_TRUE(run_until(
        io_, [&] { return out.has_value(); }, 5s));
    EXPECT_TRUE(out && out->size() == 1);
    return out && out->size() == 1 ? out->front() : messenger::UserStatus{};
  }
  void run_for(std::chrono::milliseconds d) {
    auto until = std::chrono::steady_clock::now() + d;
    run_until(
        io_, [&] { return std::chrono::steady_clock::now() >= until; }, d + 1s);
  }

  std::optional<TestRedisServer> redis_;
  boost::asio::io_context io_;
  std::vector<std::shared_ptr<RedisPresence>> nodes_;
};

TEST_F(RedisPresenceTest, CountsSocketsAcrossNodes) {
  auto a = node();
  auto b = node();
  EXPECT_TRUE(connect(*a, "u", store::Role::Seller)) << "first socket anywhere";
  EXPECT_FALSE(connect(*b, "u", store::Role::Seller)) << "second socket, on the other node";
  EXPECT_FALSE(connect(*a, "u", store::Role::Seller));
  auto s = status(*b, "u", 5000);
  EXPECT_TRUE(s.online);
  EXPECT_EQ(s.role, store::Role::Seller);
  EXPECT_EQ(s.last_seen, 5000);

  EXPECT_FALSE(disconnect(*a, "u", 100, store::Role::Seller));
  EXPECT_FALSE(disconnect(*b, "u", 200, store::Role::Seller)) << "a socket is left on node a";
  EXPECT_TRUE(status(*b, "u").online);
  EXPECT_TRUE(disconnect(*a, "u", 300, store::Role::Seller)) << "the last socket anywhere";

  s = status(*b, "u");
  EXPECT_FALSE(s.online);
  EXPECT_EQ(s.role, store::Role::Seller);
  EXPECT_EQ(s.last_seen, 300);
  auto unknown = status(*a, "nobody");
  EXPECT_FALSE(unknown.online);
  EXPECT_FALSE(unknown.role);
  EXPECT_FALSE(unknown.last_seen);
  EXPECT_TRUE(connect(*b, "u", store::Role::Buyer)) << "back online";
  EXPECT_EQ(status(*a, "u").role, store::Role::Buyer) << "role of the latest connection";
}

TEST_F(RedisPresenceTest, UsersOfADeadNodeGoOfflineAfterTheTtl) {
  auto a = node();
  auto b = node();
  ASSERT_TRUE(connect(*a, "u"));
  run_for(kTtl / 2);  // at least one heartbeat of a
  const TimeMs before_death = now_ms();
  a->stop();  // a crash: no disconnect, no more heartbeats
  EXPECT_TRUE(status(*b, "u").online) << "still within the TTL";
  run_for(kTtl + 200ms);
  auto s = status(*b, "u");
  EXPECT_FALSE(s.online) << "a's entries expired";
  ASSERT_TRUE(s.last_seen);
  EXPECT_GE(*s.last_seen, before_death - kTtl.count()) << "last seen at a's last heartbeat";
  EXPECT_LE(*s.last_seen, before_death);
  EXPECT_TRUE(connect(*b, "u")) << "a's count is gone, so this is the first socket again";
}

TEST_F(RedisPresenceTest, OneSurvivorAnnouncesTheUsersADeadNodeLeftOffline) {
  auto a = node();
  auto b = node();
  auto c = node();
  std::vector<std::string> lost_b, lost_c;
  b->on_status_changed(
      [&](std::vector<std::string> ids) { lost_b.insert(lost_b.end(), ids.begin(), ids.end()); });
  c->on_status_changed(
      [&](std::vector<std::string> ids) { lost_c.insert(lost_c.end(), ids.begin(), ids.end()); });
  ASSERT_TRUE(connect(*a, "gone"));
  ASSERT_TRUE(connect(*a, "also-on-b"));
  ASSERT_FALSE(connect(*b, "also-on-b"));
  ASSERT_TRUE(connect(*a, "left-before"));
  ASSERT_TRUE(disconnect(*a, "left-before", 100));  // announced by a itself, when it happened
  run_for(kTtl / 2);
  a->stop();  // a crash: no disconnect, no more heartbeats
  run_for(kTtl * 2);
  std::vector<std::string> lost = lost_b;
  lost.insert(lost.end(), lost_c.begin(), lost_c.end());
  EXPECT_EQ(lost, std::vector<std::string>{"gone"}) << "once, by one node; b still has also-on-b";
  EXPECT_FALSE(status(*b, "gone").online);
  EXPECT_TRUE(status(*c, "also-on-b").online);
  run_for(kTtl);
  EXPECT_EQ(lost_b.size() + lost_c.size(), 1u) << "never announced twice";
}

TEST_F(RedisPresenceTest, ALiveNodeKeepsItsUsersOnlinePastTheTtl) {
  auto a = node();
  auto b = node();
  ASSERT_TRUE(connect(*a, "u"));
  run_for(kTtl * 3);  // heartbeats keep a's entries
  EXPECT_TRUE(status(*b, "u").online);
}

TEST_F(RedisPresenceTest, ANodeWhoseEntriesExpiredHasItsUsersAnnouncedAgain) {
  auto a = node();
  std::vector<std::string> changed;
  a->on_status_changed(
      [&](std::vector<std::string> ids) { changed.insert(changed.end(), ids.begin(), ids.end()); });
  ASSERT_TRUE(connect(*a, "u"));
  const std::string epoch = a->epoch();
  // What a stall longer than the TTL leaves behind: a's alive key is gone (and other nodes may
  // have announced u offline).
  auto cli = std::make_shared<RedisConnection>(io_.get_executor(),
                                               RedisEndpoint{"127.0.0.1", redis_->port()}, "test");
  cli->start();
  ASSERT_TRUE(run_until(
      io_, [&] { return cli->connected(); }, 5s));
  const std::string alive = "cz:presence:alive:" + epoch;
  bool deleted = false;
  cli->command({"DEL", alive}, [&](redisReply*) { deleted = true; });
  ASSERT_TRUE(run_until(
      io_, [&] { return deleted; }, 5s));

  ASSERT_TRUE(run_until(
      io_, [&] { return !changed.empty(); }, 5s))
      << "not announced again";
  EXPECT_NE(a->epoch(), epoch) << "registered again under a new epoch";
  EXPECT_EQ(changed, std::vector<std::string>{"u"});
  EXPECT_TRUE(status(*a, "u").online);
  cli->stop();
}

TEST_F(RedisPresenceTest, ReRegistersAfterARedisRestart) {
  auto a = node();
  auto b = node();
  ASSERT_TRUE(connect(*a, "u"));
  ASSERT_FALSE(connect(*a, "u"));
  const std::string epoch_a = a->epoch(), epoch_b = b->epoch();
  redis_->stop();  // all data lost
  // While Redis is down: answers from local knowledge.
  EXPECT_TRUE(connect(*b, "v")) << "v's first socket on b";
  EXPECT_TRUE(status(*a, "u").online) << "a knows its own users";
  EXPECT_FALSE(status(*a, "v").online) << "a cannot know b's users";
  redis_->start();
  ASSERT_TRUE(run_until(
      io_, [&] { return a->epoch() != epoch_a && b->epoch() != epoch_b; }, 10s))
      << "never reconnected";
  EXPECT_TRUE(status(*b, "u").online) << "a re-registered u";
  EXPECT_TRUE(status(*a, "v").online) << "b re-registered v, connected while Redis was down";
  EXPECT_FALSE(disconnect(*a, "u", 10)) << "u had two sockets on a";
  EXPECT_TRUE(disconnect(*a, "u", 20));
  EXPECT_FALSE(status(*b, "u").online);
}

TEST_F(RedisPresenceTest, AQueryOfManyUsersKeepsTheirOrder) {
  auto a = node();
  connect(*a, "x");
  connect(*a, "z");
  std::optional<std::vector<messenger::UserStatus>> out;
  a->query({"z", "y", "x"}, 1, [&](std::vector<messenger::UserStatus> s) { out = std::move(s); });
  ASSERT_TRUE(run_until(
      io_, [&] { return out.has_value(); }, 5s));
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[0].user_id, "z");
  EXPECT_TRUE((*out)[0].online);
  EXPECT_EQ((*out)[1].user_id, "y");
  EXPECT_FALSE((*out)[1].online);
  EXPECT_EQ((*out)[2].user_id, "x");
  EXPECT_TRUE((*out)[2].online);
}

}  // namespace
}  // namespace cz::cluster
