// The Engine.IO server in-process on 127.0.0.1:0, driven by Beast HTTP and WebSocket clients
// speaking the protocol by hand.
#include "engineio/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <future>
#include <thread>

#include "echo_acceptor.hpp"
#include "net/http_server.hpp"
#include "net/router.hpp"

namespace cz::engineio {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

using HttpResponse = http::response<http::string_body>;

class EngineIoServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}, std::size_t threads = 2) {
    pool_ = std::make_unique<net::IoPool>(threads);
    log_ = std::make_shared<testing::EchoLog>();
    acceptor_ = std::make_unique<testing::EchoAcceptor>(log_);
    eio_ = std::make_shared<Server>(*pool_, *acceptor_, options);
    router_.add("/socket.io/", eio_);
    net::HttpServerOptions http_options;
    http_options.websocket_max_message = options.max_payload;
    server_ = std::make_unique<net::HttpServer>(*pool_, router_, http_options);
    server_->start();
    runner_ = std::thread([this] { pool_->run(); });
  }

  void TearDown() override {
    if (pool_) pool_->stop();
    if (runner_.joinable()) runner_.join();
    // Everything that may hold sockets or timers goes before the io_contexts.
    server_.reset();
    router_ = net::Router();
    eio_.reset();
    pool_.reset();
  }

  HttpResponse request(http::verb verb, const std::string& target, std::string body = {},
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
    asio::io_context io;
    tcp::socket s(io);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (auto& [k, v] : headers) req.set(k, v);
    if (verb == http::verb::post) req.set(http::field::content_type, "text/plain;charset=UTF-8");
    req.body() = std::move(body);
    req.prepare_payload();
    http::write(s, req);
    beast::flat_buffer buf;
    HttpResponse res;
    http::read(s, buf, res);
    return res;
  }

  HttpResponse get(const std::string& target,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    return request(http::verb::get, target, {}, std::move(headers));
  }

  // A GET that is answered later (long-poll).
  std::future<HttpResponse> get_async(const std::string& target) {
    return std::async(std::launch::async, [this, target] { return get(target); });
  }

  HttpResponse post(const std::string& target, std::string body) {
    return request(http::verb::post, target, std::move(body));
  }

  static std::string sid_of(const std::string& open_body) {
    const auto start = open_body.find("\"sid\":\"") + 7;
    return open_body.substr(start, open_body.find('"', start) - start);
  }

  std::string handshake() {
    auto res = get("/socket.io/?EIO=4&transport=polling");
    EXPECT_EQ(res.result(), http::status::ok);
    return sid_of(res.body());
  }

  static std::string polling(const std::string& sid) {
    return "/socket.io/?EIO=4&transport=polling&sid=" + sid;
  }

  using WsClient = beast::websocket::stream<tcp::socket>;
  std::unique_ptr<WsClient> ws_connect(asio::io_context& io, const std::string& target) {
    auto ws = std::make_unique<WsClient>(io);
    ws->next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    ws->handshake("127.0.0.1", target);
    return ws;
  }
  static std::string ws_read(WsClient& ws) {
    beast::flat_buffer buf;
    ws.read(buf);
    return beast::buffers_to_string(buf.data());
  }
  static void ws_write(WsClient& ws, const std::string& text) {
    ws.text(true);
    ws.write(asio::buffer(text));
  }

  bool closed_with(const std::string& reason) {
    return log_->wait([&](testing::EchoLog& l) {
      return std::find(l.close_reasons.begin(), l.close_reasons.end(), reason) !=
             l.close_reasons.end();
    });
  }

  net::Router router_;
  std::unique_ptr<net::IoPool> pool_;
  std::shared_ptr<testing::EchoLog> log_;
  std::unique_ptr<testing::EchoAcceptor> acceptor_;
  std::shared_ptr<Server> eio_;
  std::unique_ptr<net::HttpServer> server_;
  std::thread runner_;
};

TEST_F(EngineIoServerTest, PollingHandshake) {
  ServerOptions o;
  o.ping_interval = 300ms;
  o.ping_timeout = 200ms;
  o.max_payload = 12345;
  start(o);
  auto res =
      get("/socket.io/?EIO=4&transport=polling&t=abc&name=J%C3%BCrgen+X", {{"X-Custom", "v"}});
  ASSERT_EQ(res.result(), http::status::ok);
  EXPECT_EQ(res[http::field::content_type], "text/plain; charset=UTF-8");
  const auto& body = res.body();
  const std::string sid = sid_of(body);
  EXPECT_EQ(sid.size(), 20u);
  EXPECT_EQ(
      sid.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  EXPECT_EQ(body, "0{\"sid\":\"" + sid +
                      "\",\"upgrades\":[\"websocket\"],\"pingInterval\":300,\"pingTimeout\":200,"
                      "\"maxPayload\":12345}");
  EXPECT_NE(handshake(), sid);  // ids differ
  ASSERT_TRUE(log_->wait([](auto& l) { return l.connections == 2; }));
  std::lock_guard lock(log_->mutex);
  const auto& info = log_->handshakes[0];
  EXPECT_EQ(info.transport, "polling");
  EXPECT_EQ(info.url, "/socket.io/?EIO=4&transport=polling&t=abc&name=J%C3%BCrgen+X");
  EXPECT_EQ(info.remote_address, "127.0.0.1");
  auto has = [](const auto& pairs, const std::string& k, const std::string& v) {
    return std::find(pairs.begin(), pairs.end(), std::pair{k, v}) != pairs.end();
  };
  EXPECT_TRUE(has(info.query, "name", "J\xc3\xbcrgen X"));
  EXPECT_TRUE(has(info.headers, "x-custom", "v"));
}

TEST_F(EngineIoServerTest, ErrorRepliesAsNode) {
  ServerOptions o;
  o.allow_request = [](const net::Request& req) { return req.find("X-Refuse") == req.end(); };
  start(o);
  auto expect = [&](HttpResponse res, http::status status, const std::string& body) {
    EXPECT_EQ(res.result(), status) << body;
    EXPECT_EQ(res[http::field::content_type], "application/json") << body;
    EXPECT_EQ(res.body(), body);
  };
  expect(get("/socket.io/?EIO=4&transport=carrier-pigeon"), http::status::bad_request,
         R"({"code":0,"message":"Transport unknown"})");
  expect(get("/socket.io/?EIO=4"), http::status::bad_request,
         R"({"code":0,"message":"Transport unknown"})");
  expect(get("/socket.io/?EIO=4&transport=polling&sid=nope"), http::status::bad_request,
         R"({"code":1,"message":"Session ID unknown"})");
  expect(post("/socket.io/?EIO=4&transport=polling", "4x"), http::status::bad_request,
         R"({"code":2,"message":"Bad handshake method"})");
  expect(get("/socket.io/?EIO=4&transport=websocket"), http::status::bad_request,
         R"({"code":3,"message":"Bad request"})");
  expect(get("/socket.io/?EIO=4&transport=polling", {{"X-Refuse", "1"}}), http::status::forbidden,
         R"({"code":4,"message":"Forbidden"})");
  expect(get("/socket.io/?EIO=3&transport=polling"), http::status::bad_request,
         R"({"code":5,"message":"Unsupported protocol version"})");
  expect(get("/socket.io/?transport=polling"), http::status::bad_request,
         R"({"code":5,"message":"Unsupported protocol version"})");
  // A websocket sid used with polling.
  asio::io_context io;
  auto ws = ws_connect(io, "/socket.io/?EIO=4&transport=websocket");
  const auto sid = sid_of(ws_read(*ws));
  expect(get(polling(sid)), http::status::bad_request, R"({"code":3,"message":"Bad request"})");
}

TEST_F(EngineIoServerTest, RefusedUpgradeGetsPlain400) {
  start();
  auto res = get("/socket.io/?EIO=4&transport=websocket&sid=unknown",
                 {{"Connection", "Upgrade"},
                  {"Upgrade", "websocket"},
                  {"Sec-WebSocket-Version", "13"},
                  {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}});
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_EQ(res[http::field::content_type], "text/html");
  EXPECT_EQ(res.body(), "Session ID unknown");
}

TEST_F(EngineIoServerTest, PollingMessagesBothWays) {
  start();
  const auto sid = handshake();
  auto ok = post(polling(sid),
                 "4hello\x1e"
                 "4w\xc3\xb6rld\x1e"
                 "bAQID");
  EXPECT_EQ(ok.result(), http::status::ok);
  EXPECT_EQ(ok.body(), "ok");
  EXPECT_EQ(ok[http::field::content_type], "text/html");
  auto res = get(polling(sid));
  EXPECT_EQ(res.body(),
            "4hello\x1e"
            "4w\xc3\xb6rld\x1e"
            "bAQID");
  std::lock_guard lock(log_->mutex);
  ASSERT_EQ(log_->messages.size(), 3u);
  EXPECT_EQ(log_->messages[2], std::string("<bin>\x01\x02\x03"));
}

TEST_F(EngineIoServerTest, PendingPollIsAnsweredWhenAMessageArrives) {
  start();
  const auto sid = handshake();
  auto pending = get_async(polling(sid));
  EXPECT_EQ(pending.wait_for(100ms), std::future_status::timeout);
  post(polling(sid), "4burst:3");
  ASSERT_EQ(pending.wait_for(3s), std::future_status::ready);
  // All three messages, sent by one handler, arrive in one payload.
  EXPECT_EQ(pending.get().body(),
            "4m0\x1e"
            "4m1\x1e"
            "4m2");
}

TEST_F(EngineIoServerTest, SecondConcurrentGetClosesTheSession) {
  start();
  const auto sid = handshake();
  auto first = get_async(polling(sid));
  ASSERT_EQ(first.wait_for(100ms), std::future_status::timeout);
  auto second = get(polling(sid));
  EXPECT_EQ(second.result(), http::status::bad_request);
  ASSERT_EQ(first.wait_for(3s), std::future_status::ready);
  EXPECT_EQ(first.get().body(), "1");
  EXPECT_TRUE(closed_with("transport error"));
  EXPECT_EQ(get(polling(sid)).body(), R"({"code":1,"message":"Session ID unknown"})");
}

TEST_F(EngineIoServerTest, OversizePostIs413AndClosesSession) {
  ServerOptions o;
  o.max_payload = 100;
  start(o);
  const auto sid = handshake();
  auto res = post(polling(sid), "4" + std::string(100, 'x'));
  EXPECT_EQ(res.result(), http::status::payload_too_large);
  EXPECT_TRUE(closed_with("transport error"));
  EXPECT_EQ(get(polling(sid)).result(), http::status::bad_request);
}

TEST_F(EngineIoServerTest, MalformedPayloadIs400ParseError) {
  start();
  const auto sid = handshake();
  auto res = post(polling(sid), "9what");
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_EQ(res.body(), R"({"code":3,"message":"Bad request"})");
  EXPECT_TRUE(closed_with("parse error"));
}

TEST_F(EngineIoServerTest, ClientClosePacket) {
  start();
  const auto sid = handshake();
  auto pending = get_async(polling(sid));
  ASSERT_EQ(pending.wait_for(100ms), std::future_status::timeout);
  EXPECT_EQ(post(polling(sid), "1").body(), "ok");
  ASSERT_EQ(pending.wait_for(3s), std::future_status::ready);
  EXPECT_EQ(pending.get().body(), "6");
  EXPECT_TRUE(closed_with("transport close"));
}

TEST_F(EngineIoServerTest, ServerCloseOnPollingSendsClosePacket) {
  start();
  const auto sid = handshake();
  post(polling(sid),
       "4before\x1e"
       "4close-me");
  auto res = get(polling(sid));
  EXPECT_EQ(res.body(),
            "4before\x1e"
            "1");
  EXPECT_TRUE(closed_with("forced close"));
  EXPECT_EQ(get(polling(sid)).result(), http::status::bad_request);
}

TEST_F(EngineIoServerTest, HeartbeatOnPolling) {
  ServerOptions o;
  o.ping_interval = 100ms;
  o.ping_timeout = 100ms;
  start(o);
  const auto sid = handshake();
  for (int i = 0; i < 3; ++i) {
    auto res = get(polling(sid));
    EXPECT_EQ(res.body(), "2");
    post(polling(sid), "3");
  }
  // Now stop answering: closed within interval + timeout.
  auto res = get(polling(sid));
  EXPECT_EQ(res.body(), "2");
  EXPECT_TRUE(closed_with("ping timeout"));
}

TEST_F(EngineIoServerTest, ClientPingIsAnError) {
  start();
  const auto sid = handshake();
  post(polling(sid), "2");
  EXPECT_TRUE(closed_with("transport error"));
}

TEST_F(EngineIoServerTest, UpgradeFromPolling) {
  start({}, 3);
  const auto sid = handshake();
  post(polling(sid), "4queued-before-upgrade");
  EXPECT_EQ(get(polling(sid)).body(), "4queued-before-upgrade");
  auto pending = get_async(polling(sid));
  ASSERT_EQ(pending.wait_for(100ms), std::future_status::timeout);
  asio::io_context io;
  auto ws = ws_connect(io, "/socket.io/?EIO=4&transport=websocket&sid=" + sid);
  ws_write(*ws, "2probe");
  EXPECT_EQ(ws_read(*ws), "3probe");
  ASSERT_EQ(pending.wait_for(3s), std::future_status::ready);
  EXPECT_EQ(pending.get().body(), "6");
  // A message sent by the server during the upgrade is held for the new transport.
  post(polling(sid), "4during");
  ws_write(*ws, "5");
  EXPECT_EQ(ws_read(*ws), "4during");
  ws_write(*ws, "4over websocket");
  EXPECT_EQ(ws_read(*ws), "4over websocket");
  ws->binary(true);
  ws->write(asio::buffer(std::string("\x00\x01", 2)));
  EXPECT_EQ(ws_read(*ws), std::string("\x00\x01", 2));
  EXPECT_TRUE(ws->got_binary());
  // Polling is gone for this session.
  EXPECT_EQ(get(polling(sid)).body(), R"({"code":3,"message":"Bad request"})");
  // A second upgrade attempt is refused.
  beast::error_code ec;
  WsClient second(io);
  second.next_layer().connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
  beast::websocket::response_type res;
  second.handshake(res, "127.0.0.1", "/socket.io/?EIO=4&transport=websocket&sid=" + sid, ec);
  EXPECT_TRUE(ec);
  ws->close(beast::websocket::close_code::normal);
  EXPECT_TRUE(closed_with("transport close"));
}

TEST_F(EngineIoServerTest, UpgradeTimeoutKeepsPolling) {
  ServerOptions o;
  o.upgrade_timeout = 100ms;
  start(o);
  const auto sid = handshake();
  asio::io_context io;
  auto ws = ws_connect(io, "/socket.io/?EIO=4&transport=websocket&sid=" + sid);
  beast::flat_buffer buf;
  beast::error_code ec;
  ws->read(buf, ec);  // never probed: the server closes the candidate
  EXPECT_EQ(ec, beast::websocket::error::closed);
  post(polling(sid), "4still polling");
  EXPECT_EQ(get(polling(sid)).body(), "4still polling");
}

TEST_F(EngineIoServerTest, DirectWebSocket) {
  ServerOptions o;
  o.max_payload = 1000;
  start(o);
  asio::io_context io;
  auto ws = ws_connect(io, "/socket.io/?EIO=4&transport=websocket");
  const auto open = ws_read(*ws);
  EXPECT_EQ(open.rfind("0{\"sid\":\"", 0), 0u);
  EXPECT_NE(open.find("\"upgrades\":[]"), std::string::npos);
  ws_write(*ws, "4hi");
  EXPECT_EQ(ws_read(*ws), "4hi");
  ws_write(*ws, "4burst:100");
  for (int i = 0; i < 100; ++i) ASSERT_EQ(ws_read(*ws), "4m" + std::to_string(i));
  // Over maxPayload: the connection is closed.
  ws_write(*ws, "4" + std::string(1000, 'x'));
  beast::flat_buffer buf;
  beast::error_code ec;
  ws->read(buf, ec);
  EXPECT_TRUE(ec);
  EXPECT_TRUE(closed_with("transport error"));
}

TEST_F(EngineIoServerTest, HeartbeatOnWebSocket) {
  ServerOptions o;
  o.ping_interval = 80ms;
  o.ping_timeout = 80ms;
  start(o);
  asio::io_context io;
  auto ws = ws_connect(io, "/socket.io/?EIO=4&transport=websocket");
  ws_read(*ws);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(ws_read(*ws), "2");
    ws_write(*ws, "3");
  }
  EXPECT_EQ(ws_read(*ws), "2");
  EXPECT_TRUE(closed_with("ping timeout"));
}

TEST_F(EngineIoServerTest, CorsHeadersAndPreflight) {
  ServerOptions o;
  o.cors_origins = {"https://shop.example"};
  start(o);
  auto res = get("/socket.io/?EIO=4&transport=polling", {{"Origin", "https://shop.example"}});
  EXPECT_EQ(res[http::field::access_control_allow_origin], "https://shop.example");
  EXPECT_EQ(res[http::field::access_control_allow_credentials], "true");
  auto other = get("/socket.io/?EIO=4&transport=polling", {{"Origin", "https://evil.example"}});
  EXPECT_EQ(other.find(http::field::access_control_allow_origin), other.end());
  auto err = get("/socket.io/?EIO=4&transport=nope", {{"Origin", "https://shop.example"}});
  EXPECT_EQ(err[http::field::access_control_allow_origin], "https://shop.example");
  auto pre = request(http::verb::options, "/socket.io/?EIO=4&transport=polling", {},
                     {{"Origin", "https://shop.example"},
                      {"Access-Control-Request-Method", "POST"},
                      {"Access-Control-Request-Headers", "content-type"}});
  EXPECT_EQ(pre.result(), http::status::no_content);
  EXPECT_EQ(pre[http::field::access_control_allow_origin], "https://shop.example");
  EXPECT_NE(pre[http::field::access_control_allow_methods].find("POST"), std::string::npos);
  EXPECT_EQ(pre[http::field::access_control_allow_headers], "content-type");
}

TEST_F(EngineIoServerTest, CorsWildcardEchoesOrigin) {
  ServerOptions o;
  o.cors_origins = {"*"};
  start(o);
  auto res = get("/socket.io/?EIO=4&transport=polling", {{"Origin", "http://localhost:8080"}});
  EXPECT_EQ(res[http::field::access_control_allow_origin], "http://localhost:8080");
  EXPECT_EQ(res[http::field::access_control_allow_credentials], "true");
}

TEST_F(EngineIoServerTest, CloseAllEndsEverySession) {
  start({}, 3);
  const auto sid = handshake();
  auto pending = get_async(polling(sid));
  asio::io_context io;
  auto ws = ws_connect(io, "/socket.io/?EIO=4&transport=websocket");
  ws_read(*ws);
  ASSERT_TRUE(log_->wait([](auto& l) { return l.connections == 2; }));
  ASSERT_EQ(pending.wait_for(100ms), std::future_status::timeout);
  eio_->close_all();
  ASSERT_EQ(pending.wait_for(3s), std::future_status::ready);
  EXPECT_EQ(pending.get().body(), "1");
  beast::flat_buffer buf;
  beast::error_code ec;
  ws->read(buf, ec);
  EXPECT_EQ(ec, beast::websocket::error::closed);
  EXPECT_EQ(ws->reason().code, 1001);
  EXPECT_TRUE(log_->wait([](auto& l) { return l.close_reasons.size() == 2; }));
  EXPECT_EQ(eio_->session_count(), 0u);
  std::lock_guard lock(log_->mutex);
  for (auto& r : log_->close_reasons) EXPECT_EQ(r, "server shutting down");
}

TEST_F(EngineIoServerTest, PollingClientVanishingClosesSession) {
  start();
  const auto sid = handshake();
  {
    asio::io_context io;
    tcp::socket s(io);
    s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()));
    http::request<http::string_body> req{http::verb::get, polling(sid), 11};
    http::write(s, req);
    std::this_thread::sleep_for(50ms);
  }  // gone while the GET was pending
  EXPECT_TRUE(closed_with("transport error"));
}

}  // namespace
}  // namespace cz::engineio
