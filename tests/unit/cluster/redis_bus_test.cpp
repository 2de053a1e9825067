// RedisBus against a real redis-server started on a free loopback port (skipped when the
// binary is missing): publish/subscribe through the Asio-driven hiredis connections, and
// recovery after Redis restarts.
#include "cluster/redis_bus.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <optional>

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

TEST(RedisBus, SaysWhenEverySubscriptionIsConfirmed) {
  if (!have_redis_server()) GTEST_SKIP() << "redis-server not installed";
  TestRedisServer redis;
  boost::asio::io_context io;
  auto bus = RedisBus::create(io.get_executor(), RedisEndpoint{"127.0.0.1", redis.port()});
  bus->psubscribe("socket.io#/a#*", [](std::string_view, std::string_view) {});
  bus->psubscribe("socket.io#/b#*", [](std::string_view, std::string_view) {});
  bus->start();
  std::optional<bool> ready;
  bus->when_subscribed(std::chrono::seconds(15), [&](bool subscribed) { ready = subscribed; });
  ASSERT_TRUE(run_until(
      io, [&] { return ready.has_value(); }, std::chrono::seconds(20)));
  EXPECT_TRUE(*ready);
  // Confirmed means live: a message published now is received (no retry loop needed).
  std::string got;
  bus->psubscribe("socket.io#/a#*", [&](std::string_view, std::string_view m) { got = m; });
  bus->publish("socket.io#/a#room#", "first try");
  ASSERT_TRUE(run_until(
      io, [&] { return !got.empty(); }, std::chrono::seconds(5)));
  EXPECT_EQ(got, "first try");
  // Asked again once subscribed: answered at once.
  ready.reset();
  bus->when_subscribed(std::chrono::seconds(1), [&](bool subscribed) { ready = subscribed; });
  ASSERT_TRUE(run_until(
      io, [&] { return ready.has_value(); }, std::chrono::milliseconds(100)));
  EXPECT_TRUE(*ready);  // once subscribed, at once
  bus->stop();
}

TEST(RedisBus, GivesUpWaitingForASubscriptionWhenRedisIsDown) {
  boost::asio::io_context io;
  // A port nothing listens on: connections are refused, the bus keeps retrying.
  const int port = [] {
    boost::asio::io_context probe;
    boost::asio::ip::tcp::acceptor a(probe, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return static_cast<int>(a.local_endpoint().port());
  }();
  auto bus = RedisBus::create(io.get_executor(), RedisEndpoint{"127.0.0.1", port});
  bus->psubscribe("socket.io#/#*", [](std::string_view, std::string_view) {});
  bus->start();
  std::optional<bool> ready;
  const auto started = std::chrono::steady_clock::now();
  bus->when_subscribed(std::chrono::milliseconds(300),
                       [&](bool subscribed) { ready = subscribed; });
  ASSERT_TRUE(run_until(
      io, [&] { return ready.has_value(); }, std::chrono::seconds(5)));
  EXPECT_FALSE(*ready);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(300));
  bus->stop();
}

// Issue 11: an ack waits for Redis's answer to the PUBLISH of its broadcast.
TEST(RedisBus, ConfirmsAPublishOnceRedisAnswersAndNotWhenItDoesNot) {
  if (!have_redis_server()) GTEST_SKIP() << "redis-server not installed";
  TestRedisServer redis;
  boost::asio::io_context io;
  auto bus = RedisBus::create(io.get_executor(), RedisEndpoint{"127.0.0.1", redis.port()});
  constexpr auto kTimeout = std::chrono::milliseconds(300);
  bus->set_publish_timeout(kTimeout);
  bus->psubscribe("socket.io#/#*", [](std::string_view, std::string_view) {});
  bus->start();
  std::optional<bool> ready;
  bus->when_subscribed(std::chrono::seconds(15), [&](bool subscribed) { ready = subscribed; });
  ASSERT_TRUE(run_until(
      io, [&] { return ready.has_value(); }, std::chrono::seconds(20)));
  ASSERT_TRUE(*ready);

  std::vector<bool> answers;
  bus->publish("socket.io#/#", "answered", [&](bool published) { answers.push_back(published); });
  ASSERT_TRUE(run_until(
      io, [&] { return answers.size() == 1; }, std::chrono::seconds(5)));
  EXPECT_TRUE(answers[0]);

  // Redis hangs: no answer, so the publish counts as unconfirmed, and not before the timeout.
  redis.freeze();
  const auto sent_at = std::chrono::steady_clock::now();
  bus->publish("socket.io#/#", "hung", [&](bool published) { answers.push_back(published); });
  ASSERT_TRUE(run_until(
      io, [&] { return answers.size() == 2; }, std::chrono::seconds(10)));
  EXPECT_FALSE(answers[1]);
  EXPECT_GE(std::chrono::steady_clock::now() - sent_at, kTimeout);

  // Redis answers the late one after all: ignored (it was already reported); the next publish
  // is confirmed again.
  redis.thaw();
  bus->publish("socket.io#/#", "after", [&](bool published) { answers.push_back(published); });
  ASSERT_TRUE(run_until(
      io, [&] { return answers.size() == 3; }, std::chrono::seconds(5)));
  EXPECT_TRUE(answers[2]);
  run_until(
      io, [] { return false; }, std::chrono::milliseconds(100));
  EXPECT_EQ(answers.size(), 3u);

  // Redis gone: reported unconfirmed at once (when not connected) or when the link drops.
  redis.stop();
  bus->publish("socket.io#/#", "gone", [&](bool published) { answers.push_back(published); });
  ASSERT_TRUE(run_until(
      io, [&] { return answers.size() == 4; }, std::chrono::seconds(5)));
  EXPECT_FALSE(answers[3]);
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
