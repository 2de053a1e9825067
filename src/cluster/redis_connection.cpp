#include "cluster/redis_connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <charconv>

namespace cz::cluster {

namespace {
constexpr std::chrono::milliseconds kMinBackoff{100};
constexpr std::chrono::milliseconds kMaxBackoff{5000};
}  // namespace

std::optional<RedisEndpoint> parse_redis_url(std::string_view url) {
  constexpr std::string_view scheme = "redis://";
  if (url.substr(0, scheme.size()) != scheme) return std::nullopt;
  url.remove_prefix(scheme.size());
  if (auto slash = url.find('/'); slash != std::string_view::npos) url = url.substr(0, slash);
  if (auto at = url.rfind('@'); at != std::string_view::npos) return std::nullopt;  // no AUTH yet
  RedisEndpoint ep;
  auto colon = url.rfind(':');
  std::string_view host = colon == std::string_view::npos ? url : url.substr(0, colon);
  if (colon != std::string_view::npos) {
    auto port_text = url.substr(colon + 1);
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port <= 0 ||
        port > 65535) {
      return std::nullopt;
    }
    ep.port = port;
  }
  if (host.empty()) return std::nullopt;
  ep.host = std::string(host);
  return ep;
}

// The Asio side of hiredis's ev hooks. Completion handlers hold a shared_ptr to it, so it
// outlives the hiredis context; cleanup() (called by hiredis when it frees the context) lets go
// of the descriptor without closing it, since hiredis closes the socket itself.
struct RedisConnection::Watcher : std::enable_shared_from_this<Watcher> {
  Watcher(const boost::asio::any_io_executor& ex, int fd, redisAsyncContext* ac)
      : descriptor(ex, fd), context(ac) {}

  boost::asio::posix::stream_descriptor descriptor;
  redisAsyncContext* context;  // null once hiredis has freed it
  bool want_read = false, want_write = false;
  bool reading = false, writing = false;

  void arm_read() {
    if (reading || !want_read || !context) return;
    reading = true;
    descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                          [self = shared_from_this()](boost::system::error_code ec) {
                            self->reading = false;
                            if (ec || !self->context || !self->want_read) return;
                            redisAsyncHandleRead(self->context);
                            self->arm_read();
                          });
  }
  void arm_write() {
    if (writing || !want_write || !context) return;
    writing = true;
    descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                          [self = shared_from_this()](boost::system::error_code ec) {
                            self->writing = false;
                            if (ec || !self->context || !self->want_write) return;
                            redisAsyncHandleWrite(self->context);
                            self->arm_write();
                          });
  }

  static Watcher& of(void* data) { return *static_cast<Watcher*>(data); }
  static void add_read(void* data) { of(data).want_read = true, of(data).arm_read(); }
  static void del_read(void* data) { of(data).want_read = false; }
  static void add_write(void* data) { of(data).want_write = true, of(data).arm_write(); }
  static void del_write(void* data) { of(data).want_write = false; }
  static void cleanup(void* data) {
    auto& w = of(data);
    w.context = nullptr;
    w.want_read = w.want_write = false;
    boost::system::error_code ignored;
    w.descriptor.cancel(ignored);
    (void)w.descriptor.release();
  }
};

RedisConnection::RedisConnection(boost::asio::any_io_executor executor, RedisEndpoint endpoint,
                                 std::string name)
    : executor_(std::move(executor)),
      endpoint_(std::move(endpoint)),
      name_(std::move(name)),
      reconnect_timer_(executor_),
      reconnects_(metrics::registry().counter(
          "cz_redis_reconnects_total",
          "Redis connections established again after they were lost, by connection",
          {{"connection", name_}})) {}

RedisConnection::~RedisConnection() {
  stop();
}

void RedisConnection::start() {
  stopped_ = false;
  connect();
}

void RedisConnection::stop() {
  stopped_ = true;
  reconnect_timer_.cancel();
  pending_.clear();
  if (context_) {
    auto* ac = context_;
    context_ = nullptr;
    redisAsyncFree(ac);  // calls the disconnect callback, which sees stopped_
  }
  connected_ = false;
  watcher_.reset();
}

void RedisConnection::connect() {
  if (stopped_) return;
  redisAsyncContext* ac = redisAsyncConnect(endpoint_.host.c_str(), endpoint_.port);
  if (!ac) {
    spdlog::error("redis {}: out of memory creating a connection", name_);
    schedule_reconnect();
    return;
  }
  if (ac->err) {
    spdlog::warn("redis {}: cannot connect to {}:{}: {}", name_, endpoint_.host, endpoint_.port,
                 ac->errstr);
    redisAsyncFree(ac);
    schedule_reconnect();
    return;
  }
  context_ = ac;
  ac->data = this;
  watcher_ = std::make_shared<Watcher>(executor_, ac->c.fd, ac);
  ac->ev.data = watcher_.get();
  ac->ev.addRead = &Watcher::add_read;
  ac->ev.delRead = &Watcher::del_read;
  ac->ev.addWrite = &Watcher::add_write;
  ac->ev.delWrite = &Watcher::del_write;
  ac->ev.cleanup = &Watcher::cleanup;
  redisAsyncSetConnectCallback(ac, &RedisConnection::connect_callback);
  redisAsyncSetDisconnectCallback(ac, &RedisConnection::disconnect_callback);
  // hiredis has already asked for a write event (the non-blocking connect) before the hooks
  // were set; ask for it now.
  Watcher::add_write(watcher_.get());
}

void RedisConnection::schedule_reconnect() {
  if (stopped_) return;
  auto delay = backoff_;
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
  reconnect_timer_.expires_after(delay);
  reconnect_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->connect();
  });
}

void RedisConnection::connect_callback(const redisAsyncContext* ac, int status) {
  static_cast<RedisConnection*>(ac->data)->handle_connect(status);
}

void RedisConnection::disconnect_callback(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisConnection*>(ac->data);
  if (status != REDIS_OK && !self->stopped_) {
    spdlog::warn("redis {}: connection lost: {}", self->name_, ac->errstr);
  }
  self->handle_disconnect(status);
}

void RedisConnection::handle_connect(int status) {
  if (status != REDIS_OK) {
    // hiredis frees the context after this callback.
    spdlog::warn("redis {}: cannot connect to {}:{}: {}", name_, endpoint_.host, endpoint_.port,
                 context_ ? context_->errstr : "");
    context_ = nullptr;
    schedule_reconnect();
    return;
  }
  connected_ = true;
  backoff_ = kMinBackoff;
  spdlog::info("redis {}: {} {}:{}", name_, ever_connected_ ? "reconnected to" : "connected to",
               endpoint_.host, endpoint_.port);
  if (ever_connected_) reconnects_.inc();
  ever_connected_ = true;
  if (on_connected_) on_connected_();
}

void RedisConnection::handle_disconnect(int /*status*/) {
  // hiredis frees the context after this callback; pending replies get null first.
  context_ = nullptr;
  connected_ = false;
  if (!stopped_) schedule_reconnect();
}

bool RedisConnection::command(const std::vector<std::string_view>& args, ReplyHandler handler) {
  if (!connected_ || !context_ || args.empty()) return false;
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (auto a : args) argv.push_back(a.data()), lens.push_back(a.size());
  redisCallbackFn* fn = nullptr;
  void* privdata = nullptr;
  if (handler) {
    auto cmd = args.front();
    bool persistent =
        cmd == "SUBSCRIBE" || cmd == "PSUBSCRIBE" || cmd == "subscribe" || cmd == "psubscribe";
    auto id = next_id_++;
    pending_.emplace(id, Pending{std::move(handler), persistent});
    fn = &RedisConnection::reply_callback;
    privdata = reinterpret_cast<void*>(id);
  }
  return redisAsyncCommandArgv(context_, fn, privdata, static_cast<int>(argv.size()), argv.data(),
                               lens.data()) == REDIS_OK;
}

void RedisConnection::reply_callback(redisAsyncContext* ac, void* reply, void* privdata) {
  auto* self = static_cast<RedisConnection*>(ac->data);
  auto it = self->pending_.find(reinterpret_cast<std::uintptr_t>(privdata));
  if (it == self->pending_.end()) return;
  auto* r = static_cast<redisReply*>(reply);
  if (!r || !it->second.persistent) {
    auto handler = std::move(it->second.handler);
    self->pending_.erase(it);
    handler(r);
    return;
  }
  it->second.handler(r);
}

}  // namespace cz::cluster
