// Runs a real HttpServer on 127.0.0.1:0 in-process and talks to it with Beast clients.
#include "net/http_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <sys/socket.h>

#include "net/http_util.hpp"
#include "net/router.hpp"
#include "net/websocket_frame.hpp"

namespace cz::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// Waits (bounded) for a condition set from server threads.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 3000ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

// Keeps the exchange and lets the test answer it later, from the test thread.
class HoldingHandler : public HttpHandler {
 public:
  void handle(std::shared_ptr<HttpExchange> exchange) override {
    auto* raw = exchange.get();
    exchange->set_abort_handler([this, raw] {
      std::lock_guard lock(mutex_);
      aborted_ = true;
      (void)raw;
    });
    std::lock_guard lock(mutex_);
    held_ = std::move(exchange);
  }
  std::shared_ptr<HttpExchange> held() {
    std::lock_guard lock(mutex_);
    return held_;
  }
  bool aborted() {
    std::lock_guard lock(mutex_);
    return aborted_;
  }
  void release() {
    std::lock_guard lock(mutex_);
    held_.reset();
  }

 private:
  std::mutex mutex_;
  std::shared_ptr<HttpExchange> held_;
  bool aborted_ = false;
};

class EchoBodyHandler : public HttpHandler {
 public:
  void handle(std::shared_ptr<HttpExchange> exchange) override {
    const auto& req = exchange->request();
    exchange->respond(make_response(req, http::status::ok, req.body(), "text/plain"));
  }
};

class ThrowingHandler : public HttpHandler {
 public:
  void handle(std::shared_ptr<HttpExchange>) override { throw std::runtime_error("boom"); }
};

class DroppingHandler : public HttpHandler {
 public:
  void handle(std::shared_ptr<HttpExchange>) override {}
};

struct WsRecord {
  std::mutex mutex;
  std::vector<std::string> messages;
  bool closed = false;
  WebSocket::CloseCause cause = WebSocket::CloseCause::None;
  bool on_own_thread = true;
};

// Echoes every message back; optionally moves the connection to another shard first.
class EchoWebSocketHandler : public HttpHandler {
 public:
  explicit EchoWebSocketHandler(std::shared_ptr<WsRecord> record, int target_shard = -1)
      : record_(std::move(record)), target_(target_shard) {}

  struct Listener : WebSocketListener {
    std::shared_ptr<WsRecord> record;
    std::weak_ptr<WebSocket> ws;
    void on_message(std::string_view payload, bool binary) override {
      auto socket = ws.lock();
      {
        std::lock_guard lock(record->mutex);
        record->messages.emplace_back(payload);
        if (socket &&
            !socket->executor().target<asio::io_context::executor_type>()->running_in_this_thread())
          record->on_own_thread = false;
      }
      if (!socket) return;
      if (payload == "close-me") {
        socket->close(1000);
        return;
      }
      if (payload.starts_with("burst:")) {
        const int n = std::stoi(std::string(payload.substr(6)));
        for (int i = 0; i < n; ++i) socket->send(make_buffer("m" + std::to_string(i)), false);
        return;
      }
      socket->send(make_buffer(std::string(payload)), binary);
    }
    void on_close() override {
      auto socket = ws.lock();
      std::lock_guard lock(record->mutex);
      record->closed = true;
      if (socket) record->cause = socket->close_cause();
    }
  };

  void handle(std::shared_ptr<HttpExchange> exchange) override {
    if (!exchange->is_websocket_upgrade()) {
      exchange->respond(
          make_response(exchange->request(), http::status::bad_request, "no", "text/plain"));
      return;
    }
    const ShardId target = target_ < 0 ? exchange->shard() : static_cast<ShardId>(target_);
    auto ws = exchange->accept_websocket(target);
    ASSERT_TRUE(ws);
    EXPECT_EQ(ws->shard(), target);
    auto listener = std::make_shared<Listener>();
    listener->record = record_;
    listener->ws = ws;
    // Keep the socket alive through the listener's weak pointer plus this strong one.
    {
      std::lock_guard lock(mutex_);
      sockets_.push_back(ws);
    }
    asio::post(ws->executor(), [ws, listener] { ws->start(listener); });
  }

 private:
  std::shared_ptr<WsRecord> record_;
  int target_;
  std::mutex mutex_;  // handle() runs on every shard
  std::vector<std::shared_ptr<WebSocket>> sockets_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void start(HttpServerOptions options = {}, std::size_t threads = 2) {
    pool_ = std::make_unique<IoPool>(threads);
    options.port = 0;
    server_ = std::make_unique<HttpServer>(*pool_, router_, options);
    server_->start();
    runner_ = std::thread([this] { pool_->run(); });
  }
  void TearDown() override {
    if (pool_) pool_->stop();
    if (runner_.joinable()) runner_.join();
    // Handlers may hold sockets: they go before the io_contexts.
    server_.reset();
    router_ = Router();
    pool_.reset();
  }

  tcp::socket connect() {
    tcp::socket s(client_io_);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    return s;
  }

  http::response<http::string_body> request(tcp::socket& s, http::verb verb, std::string target,
                                            std::string body = {}) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(s, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(s, buf, res);
    return res;
  }

  Router router_;
  std::unique_ptr<IoPool> pool_;
  std::unique_ptr<HttpServer> server_;
  std::thread runner_;
  asio::io_context client_io_;
};

TEST_F(HttpServerTest, HealthzAnd404) {
  router_.add("/healthz", make_health_handler());
  start();
  EXPECT_NE(server_->port(), 0);
  auto s = connect();
  auto res = request(s, http::verb::get, "/healthz");
  EXPECT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res.body(), "ok");
  // Same connection (keep-alive), unknown path.
  auto res2 = request(s, http::verb::get, "/nope?x=1");
  EXPECT_EQ(res2.result(), http::status::not_found);
  EXPECT_EQ(res2[http::field::content_type], "application/json");
  EXPECT_NE(res2.body().find("NOT_FOUND"), std::string::npos);
  auto res3 = request(s, http::verb::post, "/healthz", "x");
  EXPECT_EQ(res3.result(), http::status::method_not_allowed);
}

TEST_F(HttpServerTest, LongestPrefixWins) {
  router_.add("/a/", std::make_shared<StaticTextHandler>("short"));
  router_.add("/a/b/", std::make_shared<StaticTextHandler>("long"));
  start();
  auto s = connect();
  EXPECT_EQ(request(s, http::verb::get, "/a/b/c").body(), "long");
  EXPECT_EQ(request(s, http::verb::get, "/a/c").body(), "short");
  EXPECT_EQ(request(s, http::verb::get, "/a/b").body(), "short");
}

TEST_F(HttpServerTest, PostBodyAndLimit) {
  router_.add("/echo", std::make_shared<EchoBodyHandler>());
  HttpServerOptions opts;
  opts.body_limit = 100;
  start(opts);
  auto s = connect();
  EXPECT_EQ(request(s, http::verb::post, "/echo", "hello").body(), "hello");
  auto big = request(s, http::verb::post, "/echo", std::string(101, 'x'));
  EXPECT_EQ(big.result(), http::status::payload_too_large);
  EXPECT_FALSE(big.keep_alive());
}

TEST_F(HttpServerTest, ExpectContinue) {
  router_.add("/echo", std::make_shared<EchoBodyHandler>());
  start();
  auto s = connect();
  asio::write(s, asio::buffer(std::string("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                          "Expect: 100-continue\r\n\r\n")));
  std::string interim(25, '\0');
  asio::read(s, asio::buffer(interim));
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  asio::write(s, asio::buffer(std::string("hello")));
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  EXPECT_EQ(res.body(), "hello");
}

TEST_F(HttpServerTest, MalformedRequestGets400) {
  start();
  auto s = connect();
  asio::write(s, asio::buffer(std::string("GARBAGE\r\n\r\n")));
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  EXPECT_EQ(res.result(), http::status::bad_request);
}

TEST_F(HttpServerTest, HeaderLimitGets431) {
  HttpServerOptions opts;
  opts.header_limit = 1024;
  start(opts);
  auto s = connect();
  http::request<http::string_body> req{http::verb::get, "/", 11};
  req.set("X-Big", std::string(2000, 'h'));
  http::write(s, req);
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  EXPECT_EQ(res.result(), http::status::request_header_fields_too_large);
}

TEST_F(HttpServerTest, HandlerThatThrowsOrDropsGets500) {
  router_.add("/throw", std::make_shared<ThrowingHandler>());
  router_.add("/drop", std::make_shared<DroppingHandler>());
  start();
  auto s = connect();
  EXPECT_EQ(request(s, http::verb::get, "/throw").result(), http::status::internal_server_error);
  EXPECT_EQ(request(s, http::verb::get, "/drop").result(), http::status::internal_server_error);
}

TEST_F(HttpServerTest, PendingResponseAnsweredFromAnotherThread) {
  auto holder = std::make_shared<HoldingHandler>();
  router_.add("/poll", holder);
  start();
  auto s = connect();
  http::request<http::string_body> req{http::verb::get, "/poll", 11};
  http::write(s, req);
  ASSERT_TRUE(eventually([&] { return holder->held() != nullptr; }));
  auto exchange = holder->held();
  std::this_thread::sleep_for(50ms);  // the response really is pending
  exchange->respond(make_response(exchange->request(), http::status::ok, "late", "text/plain"));
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(s, buf, res);
  EXPECT_EQ(res.body(), "late");
  EXPECT_FALSE(holder->aborted());
  holder->release();
}

TEST_F(HttpServerTest, ClientLeavingDuringLongPollAborts) {
  auto holder = std::make_shared<HoldingHandler>();
  router_.add("/poll", holder);
  start();
  {
    auto s = connect();
    http::request<http::string_body> req{http::verb::get, "/poll", 11};
    http::write(s, req);
    ASSERT_TRUE(eventually([&] { return holder->held() != nullptr; }));
  }  // socket closed
  EXPECT_TRUE(eventually([&] { return holder->aborted(); }));
  // Answering an aborted exchange is harmless.
  auto exchange = holder->held();
  exchange->respond(make_response(exchange->request(), http::status::ok, "x", "text/plain"));
  holder->release();
}

using WsClient = beast::websocket::stream<tcp::socket>;

std::unique_ptr<WsClient> ws_connect(asio::io_context& io, std::uint16_t port,
                                     const std::string& target = "/ws") {
  auto ws = std::make_unique<WsClient>(io);
  ws->next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  ws->handshake("127.0.0.1", target);
  return ws;
}

std::string ws_read(WsClient& ws) {
  beast::flat_buffer buf;
  ws.read(buf);
  return beast::buffers_to_string(buf.data());
}

TEST_F(HttpServerTest, WebSocketEchoTextAndBinary) {
  auto record = std::make_shared<WsRecord>();
  router_.add("/ws", std::make_shared<EchoWebSocketHandler>(record));
  start();
  auto ws = ws_connect(client_io_, server_->port());
  ws->text(true);
  ws->write(asio::buffer(std::string("hello")));
  EXPECT_EQ(ws_read(*ws), "hello");
  EXPECT_TRUE(ws->got_text());
  ws->binary(true);
  const std::string bytes("\x00\x01\x02\xff", 4);
  ws->write(asio::buffer(bytes));
  EXPECT_EQ(ws_read(*ws), bytes);
  EXPECT_TRUE(ws->got_binary());
  // Large message (64-bit length) both ways.
  const std::string big(200000, 'z');
  ws->text(true);
  ws->write(asio::buffer(big));
  EXPECT_EQ(ws_read(*ws), big);
  ws->close(beast::websocket::close_code::normal);
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(record->mutex);
    return record->closed;
  }));
  std::lock_guard lock(record->mutex);
  EXPECT_EQ(record->cause, WebSocket::CloseCause::Remote);
  EXPECT_TRUE(record->on_own_thread);
}

TEST_F(HttpServerTest, WebSocketMovedToAnotherShard) {
  auto record = std::make_shared<WsRecord>();
  router_.add("/ws", std::make_shared<EchoWebSocketHandler>(record, 1));
  start({}, 3);
  for (int i = 0; i < 4; ++i) {  // whatever shard accepted it, it ends on shard 1
    auto ws = ws_connect(client_io_, server_->port());
    ws->write(asio::buffer(std::string("hi") + std::to_string(i)));
    EXPECT_EQ(ws_read(*ws), "hi" + std::to_string(i));
    ws->close(beast::websocket::close_code::normal);
  }
  std::lock_guard lock(record->mutex);
  EXPECT_TRUE(record->on_own_thread);
}

TEST_F(HttpServerTest, WebSocketFragmentsPingAndBurst) {
  auto record = std::make_shared<WsRecord>();
  router_.add("/ws", std::make_shared<EchoWebSocketHandler>(record));
  start();
  auto ws = ws_connect(client_io_, server_->port());
  // Fragmented message.
  ws->write_some(false, asio::buffer(std::string("frag")));
  ws->write_some(true, asio::buffer(std::string("mented")));
  EXPECT_EQ(ws_read(*ws), "fragmented");
  // Ping: the pong arrives as a control callback while reading.
  bool got_pong = false;
  ws->control_callback([&](beast::websocket::frame_type kind, beast::string_view payload) {
    if (kind == beast::websocket::frame_type::pong && payload == "pp") got_pong = true;
  });
  ws->ping("pp");
  ws->write(asio::buffer(std::string("after-ping")));
  EXPECT_EQ(ws_read(*ws), "after-ping");
  EXPECT_TRUE(got_pong);
  // Many messages queued at once arrive complete and in order.
  ws->write(asio::buffer(std::string("burst:500")));
  for (int i = 0; i < 500; ++i) ASSERT_EQ(ws_read(*ws), "m" + std::to_string(i));
}

TEST_F(HttpServerTest, ServerInitiatedClose) {
  auto record = std::make_shared<WsRecord>();
  router_.add("/ws", std::make_shared<EchoWebSocketHandler>(record));
  start();
  auto ws = ws_connect(client_io_, server_->port());
  ws->write(asio::buffer(std::string("close-me")));
  beast::flat_buffer buf;
  beast::error_code ec;
  ws->read(buf, ec);
  EXPECT_EQ(ec, beast::websocket::error::closed);
  EXPECT_EQ(ws->reason().code, 1000);
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(record->mutex);
    return record->closed;
  }));
  std::lock_guard lock(record->mutex);
  EXPECT_EQ(record->cause, WebSocket::CloseCause::Local);
}

// Raw-socket helpers for what a well-behaved client library will not send.
std::string raw_ws_handshake(tcp::socket& s) {
  const std::string req =
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
  asio::write(s, asio::buffer(req));
  std::string head;  // byte by byte: nothing past the headers may be consumed
  char c;
  while (!head.ends_with("\r\n\r\n")) {
    asio::read(s, asio::buffer(&c, 1));
    head.push_back(c);
  }
  return head;
}

std::string read_frame(tcp::socket& s, ws::Opcode& op) {
  unsigned char h[2];
  asio::read(s, asio::buffer(h, 2));
  op = static_cast<ws::Opcode>(h[0] & 0x0F);
  std::size_t len = h[1] & 0x7F;
  if (len == 126) {
    unsigned char e[2];
    asio::read(s, asio::buffer(e, 2));
    len = (e[0] << 8) | e[1];
  } else if (len == 127) {
    unsigned char e[8];
    asio::read(s, asio::buffer(e, 8));
    len = 0;
    for (int i = 0; i < 8; ++i) len = (len << 8) | e[i];
  }
  std::string payload(len, '\0');
  asio::read(s, asio::buffer(payload));
  return payload;
}

TEST_F(HttpServerTest, HandshakeDeclinesDeflateAndAcceptsKey) {
  auto record = std::make_shared<WsRecord>();
  router_.add("/ws", std::make_shared<EchoWebSocketHandler>(record));
  start();
  auto s = connect();
  auto head = raw_ws_handshake(s);
  EXPECT_NE(head.find("101 Switching Protocols"), std::string::npos);
  EXPECT_NE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos);
  EXPECT_EQ(head.find("permessage-deflate"), std::string::npos);
}

TEST_F(HttpServerTest, ProtocolErrorClosesWith1002) {
  auto record = std::make_shared<WsRecord>();
  router_.add("/ws", std::make_shared<EchoWebSocketHandler>(record));
  start();
  auto s = connect();
  raw_ws_handshake(s);
  asio::write(s, asio::buffer(ws::encode_frame(ws::Opcode::Text, "unmasked")));
  ws::Opcode op;
  auto payload = read_frame(s, op);
  EXPECT_EQ(op, ws::Opcode::Close);
  ASSERT_GE(payload.size(), 2u);
  EXPECT_EQ((static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]),
            1002);
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(record->mutex);
    return record->closed;
  }));
  std::lock_guard lock(record->mutex);
  EXPECT_EQ(record->cause, WebSocket::CloseCause::ProtocolError);
}

TEST_F(HttpServerTest, TooBigMessageClosesWith1009) {
  auto record = std::make_shared<WsRecord>();
  router_.add("/ws", std::make_shared<EchoWebSocketHandler>(record));
  HttpServerOptions opts;
  opts.websocket_max_message = 1000;
  start(opts);
  auto s = connect();
  raw_ws_handshake(s);
  asio::write(s, asio::buffer(ws::encode_client_frame(ws::Opcode::Text, "ok", 1)));
  ws::Opcode op;
  EXPECT_EQ(read_frame(s, op), "ok");
  asio::write(s,
              asio::buffer(ws::encode_client_frame(ws::Opcode::Text, std::string(1001, 'x'), 1)));
  auto payload = read_frame(s, op);
  EXPECT_EQ(op, ws::Opcode::Close);
  ASSERT_GE(payload.size(), 2u);
  EXPECT_EQ((static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]),
            1009);
}

TEST_F(HttpServerTest, SlowClientIsDropped) {
  auto record = std::make_shared<WsRecord>();
  router_.add("/ws", std::make_shared<EchoWebSocketHandler>(record));
  HttpServerOptions opts;
  opts.websocket_send_queue_limit = 64 * 1024;
  start(opts);
  auto s = connect();
  s.set_option(asio::socket_base::receive_buffer_size(4096));
  raw_ws_handshake(s);
  // Ask for far more than the socket buffers plus the queue bound can hold; never read.
  asio::write(s, asio::buffer(ws::encode_client_frame(ws::Opcode::Text, "burst:200000", 1)));
  EXPECT_TRUE(eventually(
      [&] {
        std::lock_guard lock(record->mutex);
        return record->closed;
      },
      5000ms));
  std::lock_guard lock(record->mutex);
  EXPECT_EQ(record->cause, WebSocket::CloseCause::SlowClient);
}

std::uint16_t close_code_of(const std::string& payload) {
  if (payload.size() < 2) return 0;
  return static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                    static_cast<unsigned char>(payload[1]));
}

// Reads until EOF or error; bounded by a receive timeout so that a server that never closes
// fails the test instead of hanging it. True when the server closed the connection.
bool server_closes(tcp::socket& s) {
  timeval tv{10, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char buf[4096];
  for (;;) {
    boost::system::error_code ec;
    s.read_some(asio::buffer(buf), ec);
    if (ec == asio::error::eof || ec == asio::error::connection_reset) return true;
    if (ec) return false;  // the receive timeout: still open
  }
}

// Fragments of a message are held in memory until it is complete: it must complete in time.
TEST_F(HttpServerTest, UnfinishedFragmentedMessageIsClosedWith1008) {
  auto record = std::make_shared<WsRecord>();
  router_.add("/ws", std::make_shared<EchoWebSocketHandler>(record));
  HttpServerOptions opts;
  opts.websocket_fragment_timeout = 200ms;
  start(opts);
  auto s = connect();
  raw_ws_handshake(s);
  // A fragmented message that completes is delivered, and disarms the deadline.
  asio::write(s, asio::buffer(ws::encode_client_frame(ws::Opcode::Text, "fr", 1, false)));
  asio::write(s, asio::buffer(ws::encode_client_frame(ws::Opcode::Continuation, "ag", 1, true)));
  ws::Opcode op;
  EXPECT_EQ(read_frame(s, op), "frag");
  // One that never completes closes the connection.
  asio::write(s, asio::buffer(ws::encode_client_frame(ws::Opcode::Text, "held", 1, false)));
  const auto payload = read_frame(s, op);
  EXPECT_EQ(op, ws::Opcode::Close);
  EXPECT_EQ(close_code_of(payload), ws::close_code::policy_violation);
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(record->mutex);
    return record->closed;
  }));
  std::lock_guard lock(record->mutex);
  EXPECT_EQ(record->messages, std::vector<std::string>{"frag"});
}

// Each ping costs a pong: a client cannot make us write without bound with them.
TEST_F(HttpServerTest, PingFloodIsClosedWith1008) {
  auto record = std::make_shared<WsRecord>();
  router_.add("/ws", std::make_shared<EchoWebSocketHandler>(record));
  HttpServerOptions opts;
  opts.websocket_control_rate = TokenRate{10, 20};
  start(opts);
  auto s = connect();
  raw_ws_handshake(s);
  std::string pings;
  for (int i = 0; i < 200; ++i) pings += ws::encode_client_frame(ws::Opcode::Ping, "p", 7);
  asio::write(s, asio::buffer(pings));
  int pongs = 0;
  ws::Opcode op;
  std::string payload;
  for (;;) {
    payload = read_frame(s, op);
    if (op != ws::Opcode::Pong) break;
    ++pongs;
  }
  EXPECT_EQ(op, ws::Opcode::Close);
  EXPECT_EQ(close_code_of(payload), ws::close_code::policy_violation);
  EXPECT_GE(pongs, 20) << "the burst is answered";
  EXPECT_LT(pongs, 200);
}

// Slowloris: headers a byte at a time, or none at all.
TEST_F(HttpServerTest, IncompleteHeadersAreClosedAfterTheHeaderTimeout) {
  router_.add("/echo", std::make_shared<EchoBodyHandler>());
  HttpServerOptions opts;
  opts.header_timeout = 200ms;
  start(opts);
  auto silent = connect();
  auto partial = connect();
  asio::write(partial, asio::buffer(std::string("POST /echo HTTP/1.1\r\nHost: x\r\n")));
  EXPECT_TRUE(server_closes(silent));
  EXPECT_TRUE(server_closes(partial));
  // A client that sends its request gets its answer.
  auto prompt = connect();
  EXPECT_EQ(request(prompt, http::verb::post, "/echo", "hi").body(), "hi");
}

TEST_F(HttpServerTest, PendingHeaderConnectionsAreCappedPerAddress) {
  router_.add("/echo", std::make_shared<EchoBodyHandler>());
  HttpServerOptions opts;
  opts.max_pending_headers_per_ip = 3;
  start(opts, 1);  // one shard: connections are registered in accept order
  std::vector<tcp::socket> idle;
  for (int i = 0; i < 3; ++i) idle.push_back(connect());
  auto refused = connect();
  EXPECT_TRUE(server_closes(refused)) << "a fourth connection without headers";
  // One of the three sends its request: it is served, and makes room for another.
  EXPECT_EQ(request(idle[0], http::verb::post, "/echo", "one").body(), "one");
  auto next = connect();
  EXPECT_EQ(request(next, http::verb::post, "/echo", "next").body(), "next");
}

TEST_F(HttpServerTest, GracefulStopClosesEverything) {
  auto record = std::make_shared<WsRecord>();
  router_.add("/ws", std::make_shared<EchoWebSocketHandler>(record));
  router_.add("/healthz", make_health_handler());
  start();
  auto ws = ws_connect(client_io_, server_->port());
  auto idle = connect();
  EXPECT_EQ(request(idle, http::verb::get, "/healthz").body(), "ok");
  ASSERT_TRUE(eventually([&] { return server_->connection_count() == 2; }));
  std::promise<void> done;
  server_->stop(2000ms, [&] { done.set_value(); });
  // The WebSocket client sees a 1001 close; answering it completes the handshake.
  beast::flat_buffer buf;
  beast::error_code ec;
  ws->read(buf, ec);
  EXPECT_EQ(ec, beast::websocket::error::closed);
  EXPECT_EQ(ws->reason().code, 1001);
  ASSERT_EQ(done.get_future().wait_for(3s), std::future_status::ready);
  EXPECT_EQ(server_->connection_count(), 0u);
  // No longer accepting.
  tcp::socket s(client_io_);
  beast::error_code cec;
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()), cec);
  EXPECT_TRUE(cec);
}

}  // namespace
}  // namespace cz::net
