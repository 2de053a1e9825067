#include "cluster/redis_presence.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <random>
#include <stdexcept>

#include "cluster/redis_replies.hpp"

namespace cz::cluster {
namespace {

using replies::error_of;

constexpr std::string_view kPrefix = "cz:presence:";
// Users registered per EVAL when a node re-registers its live counts.
constexpr std::size_t kRegisterChunk = 500;

std::string user_key(std::string_view user_id) {
  return fmt::format("{}user:{}", kPrefix, user_id);
}
std::string alive_key(std::string_view epoch) {
  return fmt::format("{}alive:{}", kPrefix, epoch);
}
std::string beats_key() {
  return fmt::format("{}beats", kPrefix);
}
std::string users_key(std::string_view epoch) {
  return fmt::format("{}users:{}", kPrefix, epoch);
}
// user_key(id) -> id
std::string_view user_of_key(std::string_view key) {
  static const std::string prefix = user_key("");
  return key.substr(std::min(prefix.size(), key.size()));
}

std::string_view role_text(store::Role role) {
  return role == store::Role::Seller ? "SELLER" : "BUYER";
}

std::string random_node_id() {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device rd;
  std::mt19937_64 gen((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  std::uniform_int_distribution<int> pick(0, sizeof(kAlphabet) - 2);
  std::string id(12, ' ');
  for (auto& c : id) c = kAlphabet[pick(gen)];
  return id;
}

// kPrefix for the scripts, which build the keys they do not declare (user sets, alive keys).
const std::string kLuaPrefix = fmt::format("local P = '{}'\n", kPrefix);

// Shared by the scripts below: the user's socket count over live nodes. A field of a node whose
// alive key is gone is deleted, and the user's `seen` moves up to that node's last heartbeat
// (when its users were last known online). `me` (this node's epoch) always counts: a node that
// stalled past its TTL still has the sockets it counts.
constexpr std::string_view kLiveTotal = R"lua(
local function live_total(key, me)
  local fields = redis.call('HGETALL', key)
  local total, dead_seen = 0, 0
  for i = 1, #fields, 2 do
    local f = fields[i]
    if string.sub(f, 1, 2) == 'n:' then
      local node = string.sub(f, 3)
      if node == me or redis.call('EXISTS', P .. 'alive:' .. node) == 1 then
        total = total + tonumber(fields[i + 1])
      else
        redis.call('HDEL', key, f)
        local beat = tonumber(redis.call('HGET', P .. 'beats', node) or '0')
        if beat > dead_seen then dead_seen = beat end
      end
    end
  end
  if dead_seen > tonumber(redis.call('HGET', key, 'seen') or '0') then
    redis.call('HSET', key, 'seen', string.format('%.0f', dead_seen))
  end
  return total
end
)lua";

// KEYS[1] user; ARGV: epoch, role. Returns the user's live socket count after this one.
const std::string kConnectScript = kLuaPrefix + std::string(kLiveTotal) + R"lua(
redis.call('SADD', P .. 'users:' .. ARGV[1], KEYS[1])
redis.call('HINCRBY', KEYS[1], 'n:' .. ARGV[1], 1)
redis.call('HSET', KEYS[1], 'role', ARGV[2])
redis.call('PERSIST', KEYS[1])
return live_total(KEYS[1], ARGV[1])
)lua";

// KEYS[1] user; ARGV: epoch, role, now, keep_offline_ms. Returns the live count left.
const std::string kDisconnectScript = kLuaPrefix + std::string(kLiveTotal) + R"lua(
local f = 'n:' .. ARGV[1]
if redis.call('HINCRBY', KEYS[1], f, -1) <= 0 then
  redis.call('HDEL', KEYS[1], f)
  redis.call('SREM', P .. 'users:' .. ARGV[1], KEYS[1])
end
redis.call('HSET', KEYS[1], 'seen', ARGV[3])
local total = live_total(KEYS[1], ARGV[1])
if total == 0 then
  redis.call('HSET', KEYS[1], 'role', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return total
)lua";

// KEYS: users; ARGV: epoch, keep_offline_ms. Returns {count, role or '', seen or ''} per user.
// A user found offline with a key that never expires (its last node died) gets the expiry now.
const std::string kQueryScript = kLuaPrefix + std::string(kLiveTotal) + R"lua(
local out = {}
for i, key in ipairs(KEYS) do
  local total = live_total(key, ARGV[1])
  if total == 0 and redis.call('PTTL', key) == -1 then redis.call('PEXPIRE', key, ARGV[2]) end
  local meta = redis.call('HMGET', key, 'role', 'seen')
  out[i] = {total, meta[1] or '', meta[2] or ''}
end
return out
)lua";

// KEYS: new alive, old alive, beats, old users; ARGV: epoch, now, ttl_ms. The old epoch's
// fields die now (its live users are registered again under the new one).
constexpr std::string_view kBeginEpochScript = R"lua(
if KEYS[2] ~= KEYS[1] then redis.call('DEL', KEYS[2], KEYS[4]) end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
return 1
)lua";

// KEYS: users; ARGV: epoch, then count and role of each user.
const std::string kRegisterScript = kLuaPrefix + R"lua(
for i, key in ipairs(KEYS) do
  redis.call('HSET', key, 'n:' .. ARGV[1], ARGV[2 * i], 'role', ARGV[2 * i + 1])
  redis.call('PERSIST', key)
  redis.call('SADD', P .. 'users:' .. ARGV[1], key)
end
return #KEYS
)lua";

// KEYS: alive, beats; ARGV: epoch, now, ttl_ms, forget beats older than this, users to reap,
// keep_offline_ms. 0 when the alive key was gone (the node stalled past its TTL, or Redis lost
// it): the caller starts a new epoch. Otherwise {1, user keys}: the users of dead nodes who are
// now offline everywhere, for this node to announce. Each dead node's user set is emptied by
// SPOP, a bounded number per beat, so exactly one node announces each user.
const std::string kHeartbeatScript = kLuaPrefix + std::string(kLiveTotal) + R"lua(
if not redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3], 'XX') then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local beats = redis.call('HGETALL', KEYS[2])
local budget = tonumber(ARGV[5])
local gone = {}
for i = 1, #beats, 2 do
  local node = beats[i]
  if node ~= ARGV[1] and budget > 0 and redis.call('EXISTS', P .. 'alive:' .. node) == 0 then
    local keys = redis.call('SPOP', P .. 'users:' .. node, budget)
    budget = budget - #keys
    for _, key in ipairs(keys) do
      if live_total(key, ARGV[1]) == 0 then
        if redis.call('PTTL', key) == -1 then redis.call('PEXPIRE', key, ARGV[6]) end
        gone[#gone + 1] = key
      end
    end
  end
end
for i = 1, #beats, 2 do
  if tonumber(beats[i + 1]) < tonumber(ARGV[4]) then
    redis.call('HDEL', KEYS[2], beats[i])
    redis.call('DEL', P .. 'users:' .. beats[i])
  end
end
return {1, gone}
)lua";

// Dead nodes' users handled per heartbeat (the rest on the next ones).
constexpr std::size_t kReapPerBeat = 1000;

// EVAL script numkeys keys... args...; false when not sent (not connected).
bool eval(RedisConnection& redis, std::string_view script, const std::vector<std::string>& keys,
          const std::vector<std::string>& args, RedisConnection::ReplyHandler handler) {
  const std::string numkeys = std::to_string(keys.size());
  std::vector<std::string_view> argv;
  argv.reserve(3 + keys.size() + args.size());
  argv.push_back("EVAL");
  argv.push_back(script);
  argv.push_back(numkeys);
  for (const auto& k : keys) argv.push_back(k);
  for (const auto& a : args) argv.push_back(a);
  return redis.command(argv, std::move(handler));
}

}  // namespace

std::shared_ptr<RedisPresence> RedisPresence::create(boost::asio::any_io_executor executor,
                                                     RedisEndpoint endpoint,
                                                     RedisPresenceOptions options) {
  return std::shared_ptr<RedisPresence>(
      new RedisPresence(std::move(executor), std::move(endpoint), options));
}

RedisPresence::RedisPresence(boost::asio::any_io_executor executor, RedisEndpoint endpoint,
                             RedisPresenceOptions options)
    : executor_(std::move(executor)),
      options_(options),
      node_id_(random_node_id()),
      redis_(std::make_shared<RedisConnection>(executor_, std::move(endpoint), "presence")),
      heartbeat_timer_(executor_),
      local_(options.max_local_offline_users) {}

RedisPresence::~RedisPresence() {
  stop();
}

void RedisPresence::start() {
  redis_->on_connected([weak = weak_from_this()] {
    if (auto self = weak.lock()) self->begin_epoch();
  });
  boost::asio::post(executor_, [self = shared_from_this()] {
    self->redis_->start();
    self->schedule_heartbeat();
  });
}

void RedisPresence::stop() {
  stopped_ = true;
  heartbeat_timer_.cancel();
  redis_->stop();
}

std::string RedisPresence::epoch() const {
  return epoch_;
}

template <typename F>
void RedisPresence::on_executor(F&& f) {
  boost::asio::post(executor_,
                    [self = shared_from_this(), f = std::forward<F>(f)]() mutable { f(*self); });
}

void RedisPresence::begin_epoch() {
  const std::string previous = epoch_;
  epoch_ = fmt::format("{}-{}", node_id_, ++epoch_counter_);
  const auto now = std::to_string(now_ms());
  // At the first connect there is no previous epoch: naming the new one there makes the
  // script delete nothing.
  const std::string& retired = previous.empty() ? epoch_ : previous;
  eval(*redis_, kBeginEpochScript,
       {alive_key(epoch_), alive_key(retired), beats_key(), users_key(retired)},
       {epoch_, now, std::to_string(options_.ttl.count())}, [](redisReply* r) {
         if (!r || r->type != REDIS_REPLY_INTEGER)
           spdlog::warn("redis presence: cannot register this node: {}", error_of(r));
       });
  register_local_users();
}

void RedisPresence::register_local_users() {
  auto users = local_.online_users();
  if (!users.empty())
    spdlog::info("redis presence: registering {} online user(s) of this node as {}", users.size(),
                 epoch_);
  for (std::size_t begin = 0; begin < users.size(); begin += kRegisterChunk) {
    const std::size_t end = std::min(users.size(), begin + kRegisterChunk);
    std::vector<std::string> keys, args{epoch_};
    for (std::size_t i = begin; i < end; ++i) {
      keys.push_back(user_key(users[i].user_id));
      args.push_back(std::to_string(users[i].sockets));
      args.emplace_back(role_text(users[i].role));
    }
    eval(*redis_, kRegisterScript, keys, args, [](redisReply* r) {
      if (!r || r->type != REDIS_REPLY_INTEGER)
        spdlog::warn("redis presence: cannot register users: {}", error_of(r));
    });
  }
}

void RedisPresence::schedule_heartbeat() {
  if (stopped_) return;
  heartbeat_timer_.expires_after(std::max(options_.ttl / 3, std::chrono::milliseconds(10)));
  heartbeat_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) {
      self->heartbeat();
      self->schedule_heartbeat();
    }
  });
}

void RedisPresence::heartbeat() {
  if (!redis_->connected() || epoch_.empty()) return;
  const TimeMs now = now_ms();
  eval(*redis_, kHeartbeatScript, {alive_key(epoch_), beats_key()},
       {epoch_, std::to_string(now), std::to_string(options_.ttl.count()),
        std::to_string(now - options_.keep_offline.count()), std::to_string(kReapPerBeat),
        std::to_string(options_.keep_offline.count())},
       [weak = weak_from_this()](redisReply* r) {
         auto self = weak.lock();
         if (!self || self->stopped_) return;
         const auto beat = replies::heartbeat(r);
         if (!beat) {
           spdlog::warn("redis presence: heartbeat failed: {}", error_of(r));
         } else if (beat->expired) {
           spdlog::warn("redis presence: this node's entries expired in Redis; registering again");
           self->begin_epoch();
           // Other nodes may have announced them offline meanwhile: announce them again.
           self->announce_local_users();
         } else {
           self->announce_lost(beat->lost_user_keys);
         }
       });
}

void RedisPresence::announce_lost(const std::vector<std::string_view>& user_keys) {
  if (user_keys.empty()) return;
  std::vector<std::string> users;
  users.reserve(user_keys.size());
  for (const auto key : user_keys) users.emplace_back(user_of_key(key));
  spdlog::info("redis presence: {} user(s) of a node that stopped are offline now", users.size());
  if (changed_listener_) changed_listener_(std::move(users));
}

void RedisPresence::announce_local_users() {
  if (!changed_listener_) return;
  std::vector<std::string> users;
  for (auto& u : local_.online_users()) users.push_back(std::move(u.user_id));
  if (!users.empty()) changed_listener_(std::move(users));
}

void RedisPresence::on_status_changed(std::function<void(std::vector<std::string>)> listener) {
  on_executor([listener = std::move(listener)](RedisPresence& self) mutable {
    self.changed_listener_ = std::move(listener);
  });
}

void RedisPresence::connected(const std::string& user_id, store::Role role,
                              std::function<void(bool first)> done) {
  if (stopped_) return done(local_.connect(user_id, role));
  on_executor([user_id, role, done = std::move(done)](RedisPresence& self) mutable {
    // Counted locally on the executor, in the same order as the Redis commands, so that a
    // re-registration snapshot never counts a socket twice.
    const bool first_here = self.local_.connect(user_id, role);
    if (self.epoch_.empty() ||
        !eval(*self.redis_, kConnectScript, {user_key(user_id)},
              {self.epoch_, std::string(role_text(role))}, [done, first_here](redisReply* r) {
                if (r && r->type == REDIS_REPLY_INTEGER) return done(r->integer == 1);
                spdlog::debug("redis presence: connect answered locally: {}", error_of(r));
                done(first_here);
              })) {
      done(first_here);
    }
  });
}

void RedisPresence::disconnected(const std::string& user_id, store::Role role, TimeMs now,
                                 std::function<void(bool last)> done) {
  if (stopped_) return done(local_.disconnect(user_id, role, now));
  on_executor([user_id, role, now, done = std::move(done)](RedisPresence& self) mutable {
    const bool last_here = self.local_.disconnect(user_id, role, now);
    if (self.epoch_.empty() ||
        !eval(*self.redis_, kDisconnectScript, {user_key(user_id)},
              {self.epoch_, std::string(role_text(role)), std::to_string(now),
               std::to_string(self.options_.keep_offline.count())},
              [done, last_here](redisReply* r) {
                if (r && r->type == REDIS_REPLY_INTEGER) return done(r->integer == 0);
                spdlog::debug("redis presence: disconnect answered locally: {}", error_of(r));
                done(last_here);
              })) {
      done(last_here);
    }
  });
}

void RedisPresence::query(std::vector<std::string> user_ids, TimeMs now,
                          std::function<void(std::vector<messenger::UserStatus>)> done) {
  if (stopped_ || user_ids.empty()) return done(local_.statuses(std::move(user_ids), now));
  on_executor(
      [user_ids = std::move(user_ids), now, done = std::move(done)](RedisPresence& self) mutable {
        std::vector<std::string> keys;
        keys.reserve(user_ids.size());
        for (const auto& id : user_ids) keys.push_back(user_key(id));
        auto ids = std::make_shared<std::vector<std::string>>(std::move(user_ids));
        auto weak = self.weak_from_this();
        auto answer = [ids, now, done, weak](redisReply* r) {
          if (auto parsed = replies::statuses(r, *ids, now)) return done(std::move(*parsed));
          spdlog::debug("redis presence: status answered locally: {}", error_of(r));
          auto self = weak.lock();
          done(self ? self->local_.statuses(std::move(*ids), now)
                    : std::vector<messenger::UserStatus>{});
        };
        if (self.epoch_.empty() ||
            !eval(*self.redis_, kQueryScript, keys,
                  {self.epoch_, std::to_string(self.options_.keep_offline.count())}, answer)) {
          done(self.local_.statuses(std::move(*ids), now));
        }
      });
}

std::shared_ptr<RedisPresence> start_redis_presence(std::string_view url,
                                                    boost::asio::any_io_executor executor,
                                                    RedisPresenceOptions options) {
  auto endpoint = parse_redis_url(url);
  if (!endpoint)
    throw std::invalid_argument("bad Redis URL (expected redis://host:port): " + std::string(url));
  auto presence = RedisPresence::create(std::move(executor), *endpoint, options);
  presence->start();
  return presence;
}

}  // namespace cz::cluster
