// RedisBus against a real redis-server started on a free loopback port (skipped when the
// binary is missing): publish/subscribe through the Asio-driven hiredis connections, and
// recovery after Redis restarts.
#include "cluster/redis_bus.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>

#include "redis_test_server.hpp"

namespace cz::cluster {
namespace {

using testing::have_redis_server;
using testing::run_until;
using testing::TestRedisServer;

TEST(RedisBus, PublishesAndReceivesAndSurvivesARedisRestart) {
  if (!have_redis_server()) GTEST_SKIP() << "redis-server not installed";
  TestRedisServer redis;
  const int port = redis.port();
  boost::asio::io_context io;
  auto bus = RedisBus::create(io.get_executor(), RedisEndpoint{"127.0.0.1", port});
  std::vector<std::pair<std::string, std::string>> received;
  bus->psubscribe("socket.io#/#*", [&](std::string_view channel, std::string_view message) {
    received.emplace_back(channel, message);
  });
  bus->start();

  // Publish until the subscription is live (Redis may take a moment to start).
  auto publish_until_received = [&](const std::string& payload) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      bus->publish("socket.io#/#room#", payload);
      if (run_until(
              io, [&] { return !received.empty() && received.back().second == payload; },
              std::chrono::milliseconds(200))) {
        return true;
      }
    }
    return false;
  };
  std::string binary("\x93\x00\xff", 3);
  ASSERT_TRUE(publish_until_received(binary));
  EXPECT_EQ(received.back().first, "socket.io#/#room#");

  redis.stop();
  run_until(
      io, [] { return false; }, std::chrono::milliseconds(300));
  EXPECT_FALSE(bus->publisher_connected());
  redis.start();
  ASSERT_TRUE(publish_until_received("after restart"));

  bus->punsubscribe("socket.io#/#*");
  auto before = received.size();
  bus->publish("socket.io#/#", "ignored");
  run_until(
      io, [] { return false; }, std::chrono::milliseconds(300));
  EXPECT_EQ(received.size(), before);
  bus->stop();
}

TEST(RedisUrl, Parses) {
  auto ep = parse_redis_url("redis://10.0.0.1:6380");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->host, "10.0.0.1");
  EXPECT_EQ(ep->port, 6380);
  ep = parse_redis_url("redis://localhost");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->port, 6379);
  EXPECT_FALSE(parse_redis_url("http://x:1"));
  EXPECT_FALSE(parse_redis_url("redis://x:0"));
  EXPECT_FALSE(parse_redis_url("redis://x:abc"));
  EXPECT_FALSE(parse_redis_url("redis://:1"));
}

}  // namespace
}  // namespace cz::cluster
