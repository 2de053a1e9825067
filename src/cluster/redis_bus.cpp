#include "cluster/redis_bus.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <random>
#include <stdexcept>

#include "cluster/redis_adapter.hpp"
#include "cluster/redis_replies.hpp"

namespace cz::cluster {

namespace {
constexpr auto kExpirySlack = std::chrono::milliseconds(20);
constexpr auto kExpiryLogInterval = std::chrono::seconds(5);

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
struct BusMetrics {
  metrics::Counter& published;
  metrics::Counter& not_published;  // Redis was down: dropped, as the Node adapter does
  metrics::Counter& unconfirmed;    // sent, but Redis did not answer (in time, or at all)
  metrics::Counter& received;
};

const BusMetrics& bus_metrics() {
  static const BusMetrics m = [] {
    auto& r = metrics::registry();
    constexpr const char* publishes = "cz_redis_publishes_total";
    constexpr const char* help =
        "Broadcasts to publish to Redis, by outcome (dropped: Redis was not connected; "
        "unconfirmed: sent, but Redis did not answer in time or the connection dropped first)";
    return BusMetrics{
        r.counter(publishes, help, {{"outcome", "sent"}}),
        r.counter(publishes, help, {{"outcome", "dropped"}}),
        r.counter(publishes, help, {{"outcome", "unconfirmed"}}),
        r.counter("cz_redis_messages_received_total",
                  "Messages received from Redis subscriptions (other nodes' broadcasts)"),
    };
  }();
  return m;
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
      ready_timeout_(executor_),
      publish_deadline_(executor_) {
  bus_metrics();  // the series exist from the start
}

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
  publish_deadline_.cancel();
  publisher_->stop();  // answers what is still awaited with null: unconfirmed
  subscriber_->stop();
  while (!awaited_.empty()) answered(awaited_.front().seq, false);
}

void RedisBus::publish(std::string channel, std::string message, Confirmed confirmed) {
  if (stopped_) {
    if (confirmed) confirmed(false);
    return;
  }
  boost::asio::post(
      executor_, [self = shared_from_this(), channel = std::move(channel),
                  message = std::move(message), confirmed = std::move(confirmed)]() mutable {
        RedisConnection::ReplyHandler on_answer;
        const std::uint64_t seq = self->next_publish_seq_++;
        if (confirmed) {
          // Weak: an answer that comes after the bus is gone has no one to tell.
          on_answer = [weak = self->weak_from_this(), seq](redisReply* reply) {
            if (auto bus = weak.lock())
              bus->answered(seq, reply != nullptr && reply->type != REDIS_REPLY_ERROR);
          };
        }
        const bool sent =
            self->publisher_->command({"PUBLISH", channel, message}, std::move(on_answer));
        (sent ? bus_metrics().published : bus_metrics().not_published).inc();
        if (!sent) {
          spdlog::debug("redis: not connected, broadcast on {} not published", channel);
          if (confirmed) confirmed(false);
          return;
        }
        if (confirmed) self->await_answer(seq, std::move(confirmed));
      });
}

void RedisBus::await_answer(std::uint64_t seq, Confirmed confirmed) {
  awaited_.push_back(
      {seq, std::chrono::steady_clock::now() + publish_timeout_, std::move(confirmed)});
  arm_publish_deadline();
}

// Answers come in the order the publishes went out; an answer for a publish that already
// expired finds it gone and is ignored.
void RedisBus::answered(std::uint64_t seq, bool published) {
  while (!awaited_.empty() && awaited_.front().seq <= seq)
    settle_oldest(published && awaited_.front().seq == seq);
}

void RedisBus::settle_oldest(bool published) {
  AwaitedPublish head = std::move(awaited_.front());
  awaited_.pop_front();
  if (!published) bus_metrics().unconfirmed.inc();
  head.confirmed(published);
}

void RedisBus::arm_publish_deadline() {
  if (publish_deadline_armed_ || awaited_.empty() || stopped_) return;
  publish_deadline_armed_ = true;
  // A little after the head's deadline: one wake-up expires every publish due by then, rather
  // than one per publish while Redis hangs under load.
  publish_deadline_.expires_at(awaited_.front().deadline + kExpirySlack);
  publish_deadline_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!self) return;
    self->publish_deadline_armed_ = false;
    if (ec) return;
    self->expire_publishes();
    self->arm_publish_deadline();
  });
}

void RedisBus::expire_publishes() {
  const auto now = std::chrono::steady_clock::now();
  std::size_t expired = 0;
  while (!awaited_.empty() && awaited_.front().deadline <= now) {
    settle_oldest(false);
    ++expired;
  }
  // At most one line per interval while Redis hangs (the metric counts every one).
  if (expired > 0 && now - last_expiry_log_ >= kExpiryLogInterval) {
    last_expiry_log_ = now;
    spdlog::warn("redis: {} PUBLISH(es) not answered within {} ms: counted as unconfirmed", expired,
                 publish_timeout_.count());
  }
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
  const auto event = replies::pubsub_event(reply);
  if (!event) return;
  if (event->confirmation) return confirmed(event->pattern);
  bus_metrics().received.inc();
  std::lock_guard lock(mutex_);
  auto it = handlers_.find(std::string(event->pattern));
  if (it != handlers_.end()) it->second(event->channel, event->message);
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
                                       boost::asio::any_io_executor executor,
                                       std::chrono::milliseconds publish_timeout) {
  auto endpoint = parse_redis_url(url);
  if (!endpoint)
    throw std::invalid_argument("bad Redis URL (expected redis://host:port): " + std::string(url));
  auto bus = RedisBus::create(std::move(executor), *endpoint);
  bus->set_publish_timeout(publish_timeout);
  server.set_adapter_factory(bus->adapter_factory());
  bus->start();
  return bus;
}

}  // namespace cz::cluster
