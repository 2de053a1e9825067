#include "cluster/redis_bus.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <random>
#include <stdexcept>

#include "cluster/redis_adapter.hpp"

namespace cz::cluster {

namespace {
// Like the Node adapter's uid2(6): a short random id per node.
std::string random_uid() {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device rd;
  std::mt19937_64 gen(rd());
  std::uniform_int_distribution<int> pick(0, sizeof(kAlphabet) - 2);
  std::string uid(12, ' ');
  for (auto& c : uid) c = kAlphabet[pick(gen)];
  return uid;
}
}  // namespace

std::shared_ptr<RedisBus> RedisBus::create(boost::asio::any_io_executor executor,
                                           RedisEndpoint endpoint) {
  return std::shared_ptr<RedisBus>(new RedisBus(std::move(executor), std::move(endpoint)));
}

RedisBus::RedisBus(boost::asio::any_io_executor executor, RedisEndpoint endpoint)
    : executor_(std::move(executor)),
      uid_(random_uid()),
      publisher_(std::make_shared<RedisConnection>(executor_, endpoint, "publisher")),
      subscriber_(std::make_shared<RedisConnection>(executor_, endpoint, "subscriber")),
      ready_timeout_(executor_) {}

RedisBus::~RedisBus() = default;

void RedisBus::start() {
  // The subscriber (re)subscribes every known pattern each time it connects.
  subscriber_->on_connected([weak = weak_from_this()] {
    auto self = weak.lock();
    if (!self) return;
    std::vector<std::string> patterns;
    {
      std::lock_guard lock(self->mutex_);
      for (const auto& [pattern, handler] : self->handlers_) patterns.push_back(pattern);
    }
    self->unconfirmed_ = {patterns.begin(), patterns.end()};
    for (const auto& p : patterns) self->send_psubscribe(p);
    self->check_ready();
  });
  publisher_->on_connected([weak = weak_from_this()] {
    if (auto self = weak.lock()) self->check_ready();
  });
  boost::asio::post(executor_, [self = shared_from_this()] {
    self->publisher_->start();
    self->subscriber_->start();
  });
}

void RedisBus::stop() {
  stopped_ = true;
  ready_timeout_.cancel();
  publisher_->stop();
  subscriber_->stop();
}

void RedisBus::publish(std::string channel, std::string message) {
  if (stopped_) return;
  boost::asio::post(executor_, [self = shared_from_this(), channel = std::move(channel),
                                message = std::move(message)] {
    if (!self->publisher_->command({"PUBLISH", channel, message})) {
      spdlog::debug("redis: not connected, broadcast on {} not published", channel);
    }
  });
}

void RedisBus::psubscribe(std::string pattern, MessageHandler handler) {
  {
    std::lock_guard lock(mutex_);
    handlers_[pattern] = std::move(handler);
  }
  if (stopped_) return;
  boost::asio::post(executor_, [self = shared_from_this(), pattern = std::move(pattern)] {
    self->send_psubscribe(pattern);
  });
}

void RedisBus::punsubscribe(const std::string& pattern) {
  {
    std::lock_guard lock(mutex_);
    handlers_.erase(pattern);
  }
  if (stopped_) return;
  boost::asio::post(executor_, [self = shared_from_this(), pattern] {
    self->subscriber_->command({"PUNSUBSCRIBE", pattern});
  });
}

void RedisBus::send_psubscribe(const std::string& pattern) {
  // Not connected: on_connected will subscribe it.
  subscriber_->command({"PSUBSCRIBE", pattern}, [weak = weak_from_this()](redisReply* reply) {
    if (auto self = weak.lock()) self->dispatch(reply);
  });
}

void RedisBus::dispatch(redisReply* reply) {
  // ["pmessage", pattern, channel, message]; ["psubscribe", pattern, count] confirms one.
  if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
  auto text = [&](std::size_t i) {
    const redisReply* e = reply->element[i];
    return std::string_view(e->str ? e->str : "", e->str ? e->len : 0);
  };
  if (text(0) == "psubscribe") return confirmed(text(1));
  if (reply->elements != 4 || text(0) != "pmessage") return;
  std::lock_guard lock(mutex_);
  auto it = handlers_.find(std::string(text(1)));
  if (it != handlers_.end()) it->second(text(2), text(3));
}

void RedisBus::confirmed(std::string_view pattern) {
  unconfirmed_.erase(std::string(pattern));
  check_ready();
}

void RedisBus::check_ready() {
  if (subscriber_->connected() && unconfirmed_.empty() && publisher_->connected()) fire_ready(true);
}

void RedisBus::fire_ready(bool subscribed) {
  if (subscribed) subscribed_once_ = true;
  if (!ready_) return;
  ready_timeout_.cancel();
  auto ready = std::move(ready_);
  ready_ = nullptr;
  ready(subscribed);
}

void RedisBus::when_subscribed(std::chrono::milliseconds timeout, std::function<void(bool)> ready) {
  boost::asio::post(executor_, [self = shared_from_this(), timeout, ready = std::move(ready)] {
    if (self->subscribed_once_) return ready(true);
    self->ready_ = std::move(ready);
    self->ready_timeout_.expires_after(timeout);
    self->ready_timeout_.async_wait([weak = self->weak_from_this()](boost::system::error_code ec) {
      auto bus = weak.lock();
      if (!ec && bus) bus->fire_ready(false);
    });
  });
}

socketio::AdapterFactory RedisBus::adapter_factory() {
  return
      [self = shared_from_this()](socketio::Namespace& nsp) -> std::unique_ptr<socketio::Adapter> {
        return std::make_unique<RedisAdapter>(nsp, self);
      };
}

std::shared_ptr<RedisBus> join_cluster(socketio::Server& server, std::string_view url,
                                       boost::asio::any_io_executor executor) {
  auto endpoint = parse_redis_url(url);
  if (!endpoint)
    throw std::invalid_argument("bad Redis URL (expected redis://host:port): " + std::string(url));
  auto bus = RedisBus::create(std::move(executor), *endpoint);
  server.set_adapter_factory(bus->adapter_factory());
  bus->start();
  return bus;
}

}  // namespace cz::cluster
