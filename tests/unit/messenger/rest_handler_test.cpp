// The REST handler end to end in process: real requests through make_rest_handler, a real
// SQLite store in a temporary directory, a fake HttpExchange, and a recorder in place of the
// Socket.IO namespace for announcements.
#include <gtest/gtest.h>
#include <openssl/hmac.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "messenger/rest/rest.hpp"
#include "rest_stub_service.hpp"
#include "store/store.hpp"
#include "util/base64.hpp"
#include "util/time.hpp"

namespace cz::messenger::rest {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;

constexpr const char* kSecret = "rest-handler-secret";

std::string hs256(const std::string& payload) {
  const std::string input =
      base64::url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." + base64::url_encode(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret, static_cast<int>(std::string_view(kSecret).size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + base64::url_encode(std::string(reinterpret_cast<char*>(mac), len));
}

std::string token(const std::string& sub, const std::string& role = "") {
  const auto exp = std::to_string(now_ms() / 1000 + 3600);
  if (role.empty()) return hs256(R"({"sub":")" + sub + R"(","exp":)" + exp + "}");
  return hs256(R"({"sub":")" + sub + R"(","role":")" + role + R"(","exp":)" + exp + "}");
}

class FakeExchange final : public net::HttpExchange {
 public:
  FakeExchange(net::Request request, boost::asio::io_context& io)
      : request_(std::move(request)), io_(io) {}
  const net::Request& request() const override { return request_; }
  const std::string& remote_address() const override { return address_; }
  net::ShardId shard() const override { return 0; }
  boost::asio::any_io_executor executor() const override { return io_.get_executor(); }
  void respond(net::Response response) override {
    std::lock_guard lock(mutex_);
    ++responses_;
    response_ = std::move(response);
  }
  bool is_websocket_upgrade() const override { return false; }
  std::shared_ptr<net::WebSocket> accept_websocket() override { return nullptr; }

  int responses() const {
    std::lock_guard lock(mutex_);
    return responses_;
  }
  net::Response response() const {
    std::lock_guard lock(mutex_);
    return response_;
  }

 private:
  net::Request request_;
  boost::asio::io_context& io_;
  std::string address_ = "127.0.0.1";
  mutable std::mutex mutex_;
  int responses_ = 0;
  net::Response response_;
};

struct Reply {
  int status = 0;
  net::Response raw;
  rapidjson::Document json;
  std::string header(http::field f) const {
    auto it = raw.find(f);
    return it == raw.end() ? std::string() : std::string(it->value());
  }
  std::string code() const {
    return json.IsObject() && json.HasMember("error") ? json["error"]["code"].GetString() : "";
  }
};

struct Announcement {
  std::vector<std::string> users;
  std::string event;
  rapidjson::Document json;
};

class RestHandlerTest : public ::testing::Test {
 public:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("cz-rest-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    store_ = store::open_store("sqlite:" + (dir_ / "rest.db").string());
    JwtOptions jwt;
    jwt.hs256_secret = kSecret;
    jwt_ = std::make_unique<JwtVerifier>(jwt);
    make_handler({});
  }
  void TearDown() override {
    store_->shutdown();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void make_handler(RestOptions options) {
    auto conversations = std::make_shared<Conversations>(
        *store_, std::vector<boost::asio::any_io_executor>{io_.get_executor()},
        [this](socketio::BroadcastTarget target, std::string_view event, std::string json,
               socketio::Sent sent) {
          {
            std::lock_guard lock(announce_mutex_);
            Announcement a{std::move(target.rooms), std::string(event), {}};
            a.json.Parse(json.c_str());
            announcements_.push_back(std::move(a));
          }
          if (sent) sent(true);  // one node: it has left at once
        });
    handler_ = make_rest_handler(*store_, *jwt_, std::move(conversations), std::move(options));
  }

  Reply send(http::verb method, const std::string& target, const std::string& tok,
             const std::string& body = "",
             std::vector<std::pair<http::field, std::string>> headers = {}) {
    net::Request req{method, target, 11};
    if (!tok.empty()) req.set(http::field::authorization, "Bearer " + tok);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    for (auto& [f, v] : headers) req.set(f, v);
    req.body() = body;
    req.prepare_payload();
    auto exchange = std::make_shared<FakeExchange>(std::move(req), io_);
    handler_->handle(exchange);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (exchange->responses() == 0 && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.poll();
      if (exchange->responses() == 0) std::this_thread::sleep_for(1ms);
    }
    io_.restart();
    io_.poll();  // anything posted after the answer (announcements) runs too
    EXPECT_EQ(exchange->responses(), 1) << target;
    Reply r;
    r.raw = exchange->response();
    r.status = static_cast<int>(r.raw.result_int());
    if (!r.raw.body().empty()) {
      r.json.Parse(r.raw.body().c_str());
      EXPECT_FALSE(r.json.HasParseError()) << r.raw.body();
    }
    return r;
  }

  Reply get(const std::string& target, const std::string& tok) {
    return send(http::verb::get, target, tok);
  }

  std::vector<Announcement> take_announcements() {
    std::lock_guard lock(announce_mutex_);
    return std::exchange(announcements_, {});
  }

  // Creates room b.s through the API as the buyer.
  void create_room(const std::string& buyer, const std::string& seller,
                   const std::string& shop_name = "Shop", const std::string& buyer_name = "Bob") {
    auto r = send(http::verb::post, "/v1/rooms", token(buyer),
                  R"({"type":"BS","buyer":")" + buyer + R"(","seller":")" + seller +
                      R"(","shop_id":"shop-)" + seller + R"(","shop":{"name":")" + shop_name +
                      R"("},"buyer_info":{"name":")" + buyer_name + R"("}})");
    ASSERT_EQ(r.status, 200) << r.raw.body();
    take_announcements();
  }

  store::Message insert(const std::string& room, const std::string& from, const std::string& to,
                        const std::string& content) {
    std::promise<Result<store::InsertMessageResult>> p;
    store_->insert_message(
        store::NewMessage{room, from, to, store::MessageType::Text, content, ""},
        [&](Result<store::InsertMessageResult> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    EXPECT_TRUE(r);
    return r->message;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<JwtVerifier> jwt_;
  std::shared_ptr<net::HttpHandler> handler_;
  boost::asio::io_context io_;
  std::mutex announce_mutex_;
  std::vector<Announcement> announcements_;
};

std::set<std::string> keys(const rapidjson::Value& obj) {
  std::set<std::string> out;
  for (const auto& m : obj.GetObject()) out.insert(m.name.GetString());
  return out;
}

// --- authentication ------------------------------------------------------------------------

TEST_F(RestHandlerTest, EveryApiRouteNeedsAValidToken) {
  const std::pair<http::verb, const char*> routes[] = {
      {http::verb::get, "/v1/rooms?role=BUYER"},
      {http::verb::post, "/v1/rooms"},
      {http::verb::get, "/v1/rooms/b1.s1"},
      {http::verb::delete_, "/v1/rooms/b1.s1"},
      {http::verb::put, "/v1/rooms/b1.s1/enable"},
      {http::verb::post, "/v1/rooms/b1.s1/pin"},
      {http::verb::delete_, "/v1/rooms/b1.s1/pin"},
      {http::verb::put, "/v1/rooms/b1.s1/seen"},
      {http::verb::get, "/v1/messages?room_id=b1.s1"},
      {http::verb::post, "/v1/messages"},
      {http::verb::put, "/v1/messages/x"},
      {http::verb::get, "/v1/unread"},
  };
  for (const auto& [method, target] : routes) {
    for (const std::string& tok :
         {std::string(), std::string("garbage"), hs256(R"({"sub":"b1","exp":1000})")}) {
      auto r = send(method, target, tok);
      EXPECT_EQ(r.status, 401) << target;
      EXPECT_EQ(r.code(), "UNAUTHORIZED") << target;
      EXPECT_FALSE(r.json["status"].GetBool());
      EXPECT_EQ(r.header(http::field::www_authenticate), "Bearer");
    }
  }
}

TEST_F(RestHandlerTest, OpenApiNeedsNoToken) {
  auto r = get("/openapi.json", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_STREQ(r.json["openapi"].GetString(), "3.1.0");
}

TEST_F(RestHandlerTest, UnknownRoutesAndMethods) {
  auto r = get("/v1/nothing", token("b1"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.code(), "NOT_FOUND");
  r = send(http::verb::patch, "/v1/rooms", token("b1"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header(http::field::allow), "GET, POST");
  EXPECT_EQ(r.code(), "METHOD_NOT_ALLOWED");
}

// --- rooms ---------------------------------------------------------------------------------

TEST_F(RestHandlerTest, CreateRoomOutcomesAsTheOriginal) {
  const std::string body = R"({"type":"BS","buyer":"b1","seller":"s1","shop_id":"9",
                               "shop":{"name":"Shop A"},"buyer_info":{"name":"Bob"}})";
  auto created = send(http::verb::post, "/v1/rooms", token("b1", "BUYER"), body);
  ASSERT_EQ(created.status, 200) << created.raw.body();
  EXPECT_TRUE(created.json["status"].GetBool());
  EXPECT_STREQ(created.json["message"].GetString(), "Created room successfully!");
  EXPECT_STREQ(created.json["outcome"].GetString(), "created");
  const auto& room = created.json["room"];
  EXPECT_STREQ(room["_id"].GetString(), "b1.s1");
  EXPECT_STREQ(room["creator"].GetString(), "b1");
  EXPECT_STREQ(room["shop"]["name"].GetString(), "Shop A");
  EXPECT_FALSE(room.HasMember("buyer_info"));  // the buyer's projection
  EXPECT_FALSE(room.HasMember("seller_unseen_messages"));
  auto ann = take_announcements();
  ASSERT_EQ(ann.size(), 1u);
  EXPECT_EQ(ann[0].event, "create_room");
  EXPECT_EQ(ann[0].users, (std::vector<std::string>{"b1", "s1"}));
  EXPECT_STREQ(ann[0].json["buyer_info"]["name"].GetString(), "Bob");

  auto exists = send(http::verb::post, "/v1/rooms", token("s1"),
                     R"({"buyer":"b1","seller":"s1","creator":"s1"})");
  ASSERT_EQ(exists.status, 200);
  EXPECT_FALSE(exists.json["status"].GetBool());
  EXPECT_STREQ(exists.json["message"].GetString(), "Room exists!");
  EXPECT_STREQ(exists.json["room"]["buyer_info"]["name"].GetString(), "Bob");  // seller's view
  // Announced like the socket's create_room, which the original announces every time.
  EXPECT_EQ(take_announcements().size(), 1u);

  ASSERT_EQ(send(http::verb::delete_, "/v1/rooms/b1.s1", token("s1")).status, 200);
  take_announcements();
  auto reenabled =
      send(http::verb::post, "/v1/rooms", token("s1"), R"({"buyer":"b1","seller":"s1"})");
  ASSERT_EQ(reenabled.status, 200);
  EXPECT_TRUE(reenabled.json["status"].GetBool());
  EXPECT_STREQ(reenabled.json["message"].GetString(),
               "Room exists and re-enable room for seller and buyer");
  EXPECT_FALSE(reenabled.json["room"]["deleted_by_seller"].GetBool());
  EXPECT_EQ(take_announcements().size(), 1u);
}

TEST_F(RestHandlerTest, CreateRoomRefusals) {
  auto same = send(http::verb::post, "/v1/rooms", token("b1"), R"({"buyer":"b1","seller":"b1"})");
  EXPECT_EQ(same.status, 400);
  EXPECT_STREQ(same.json["message"].GetString(), "Buyer is the same to seller");
  auto strangers =
      send(http::verb::post, "/v1/rooms", token("x"), R"({"buyer":"b1","seller":"s1"})");
  EXPECT_EQ(strangers.status, 403);
  auto wrong_role =
      send(http::verb::post, "/v1/rooms", token("b1", "SELLER"), R"({"buyer":"b1","seller":"s1"})");
  EXPECT_EQ(wrong_role.status, 403);
  auto bad_json = send(http::verb::post, "/v1/rooms", token("b1"), R"({"buyer":"b1",)");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(bad_json.code(), "INVALID_JSON");
  auto not_json = send(http::verb::post, "/v1/rooms", token("b1"), "buyer=b1",
                       {{http::field::content_type, "application/x-www-form-urlencoded"}});
  EXPECT_EQ(not_json.status, 415);
}

TEST_F(RestHandlerTest, OversizeBodyIs413) {
  RestOptions options;
  options.max_body_bytes = 1024;
  make_handler(options);
  const std::string body =
      R"({"buyer":"b1","seller":"s1","pad":")" + std::string(2000, 'x') + "\"}";
  auto r = send(http::verb::post, "/v1/rooms", token("b1"), body);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.code(), "PAYLOAD_TOO_LARGE");
  // Refused before authentication is even looked at.
  EXPECT_EQ(send(http::verb::post, "/v1/rooms", "", body).status, 413);
}

TEST_F(RestHandlerTest, GetRoomOnlyForItsParticipants) {
  create_room("b1", "s1");
  auto mine = get("/v1/rooms/b1.s1", token("b1"));
  ASSERT_EQ(mine.status, 200);
  EXPECT_STREQ(mine.json["room"]["_id"].GetString(), "b1.s1");
  EXPECT_TRUE(mine.json["room"].HasMember("buyer_unseen_messages"));
  EXPECT_FALSE(mine.json["room"].HasMember("seller_unseen_messages"));
  auto seller = get("/v1/rooms/b1.s1?role=SELLER&user_id=s1", token("s1"));
  ASSERT_EQ(seller.status, 200);
  EXPECT_TRUE(seller.json["room"].HasMember("seller_unseen_messages"));

  EXPECT_EQ(get("/v1/rooms/b1.s1", token("x")).status, 403);
  EXPECT_EQ(get("/v1/rooms/b1.s1?role=SELLER", token("b1")).status, 403);
  EXPECT_EQ(get("/v1/rooms/b1.s1?user_id=s1", token("b1")).status, 403);
  EXPECT_EQ(get("/v1/rooms/b1.s1", token("b1", "SELLER")).status, 403);
  auto unknown = get("/v1/rooms/b9.s9", token("b9"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.code(), "ROOM_NOT_FOUND");
  EXPECT_EQ(get("/v1/rooms/nodot", token("b1")).status, 400);
  EXPECT_EQ(get("/v1/rooms/b1.s1?role=ADMIN", token("b1")).status, 400);
}

TEST_F(RestHandlerTest, PinsAreOneSideOnly) {
  create_room("b1", "s1");
  auto pin = send(http::verb::post, "/v1/rooms/b1.s1/pin", token("b1"),
                  R"({"user_id":"b1","role":"BUYER"})");
  ASSERT_EQ(pin.status, 200);
  EXPECT_TRUE(pin.json["status"].GetBool());
  EXPECT_TRUE(pin.json["room"].HasMember("pinned_by_buyer"));
  // The buyer cannot touch the seller's pin, nor can anybody else.
  auto other_side =
      send(http::verb::post, "/v1/rooms/b1.s1/pin", token("b1"), R"({"role":"SELLER"})");
  EXPECT_EQ(other_side.status, 403);
  EXPECT_EQ(other_side.code(), "FORBIDDEN");
  EXPECT_EQ(send(http::verb::post, "/v1/rooms/b1.s1/pin", token("x"), "").status, 403);
  EXPECT_EQ(
      send(http::verb::post, "/v1/rooms/b1.s1/pin", token("b1"), R"({"user_id":"s1"})").status,
      403);
  auto seller_view = get("/v1/rooms/b1.s1", token("s1"));
  EXPECT_FALSE(seller_view.json["room"].HasMember("pinned_by_seller"));

  auto unpin = send(http::verb::delete_, "/v1/rooms/b1.s1/pin", token("b1"), "");
  ASSERT_EQ(unpin.status, 200);
  EXPECT_FALSE(unpin.json["room"].HasMember("pinned_by_buyer"));
}

TEST_F(RestHandlerTest, DeleteAndEnableAreAnnouncedToTheOtherUser) {
  create_room("b1", "s1");
  auto del = send(http::verb::delete_, "/v1/rooms/b1.s1?role=BUYER", token("b1"));
  ASSERT_EQ(del.status, 200) << del.raw.body();
  EXPECT_TRUE(del.json["status"].GetBool());
  EXPECT_STREQ(del.json["role"].GetString(), "BUYER");
  EXPECT_TRUE(parse_iso8601(del.json["deleted_at"].GetString()));
  auto ann = take_announcements();
  ASSERT_EQ(ann.size(), 1u);
  EXPECT_EQ(ann[0].event, "room_deleted");
  EXPECT_EQ(ann[0].users, std::vector<std::string>{"s1"});
  EXPECT_STREQ(ann[0].json["room_id"].GetString(), "b1.s1");
  EXPECT_STREQ(ann[0].json["user_id"].GetString(), "b1");
  EXPECT_STREQ(ann[0].json["role"].GetString(), "BUYER");
  EXPECT_TRUE(ann[0].json["deleted"].GetBool());

  // Gone from the buyer's list, still in the seller's.
  EXPECT_EQ(get("/v1/rooms?role=BUYER", token("b1")).json["rooms"].Size(), 0u);
  EXPECT_EQ(get("/v1/rooms?role=SELLER", token("s1")).json["rooms"].Size(), 1u);

  auto enable = send(http::verb::put, "/v1/rooms/b1.s1/enable", token("b1"), R"({"role":"BUYER"})");
  ASSERT_EQ(enable.status, 200);
  EXPECT_STREQ(enable.json["message"].GetString(), "Enable room successfully!");
  EXPECT_FALSE(enable.json["room"]["deleted_by_buyer"].GetBool());
  ann = take_announcements();
  ASSERT_EQ(ann.size(), 1u);
  EXPECT_EQ(ann[0].event, "room_enabled");
  EXPECT_EQ(ann[0].users, std::vector<std::string>{"s1"});
  EXPECT_EQ(get("/v1/rooms?role=BUYER", token("b1")).json["rooms"].Size(), 1u);

  EXPECT_EQ(send(http::verb::delete_, "/v1/rooms/b1.s1?role=SELLER", token("b1")).status, 403);
  EXPECT_EQ(send(http::verb::delete_, "/v1/rooms/b9.s9", token("b9")).status, 404);
  EXPECT_EQ(send(http::verb::put, "/v1/rooms/b9.s9/enable", token("b9"), "").status, 404);
}

TEST_F(RestHandlerTest, RoomListSortedAndProjected) {
  create_room("b1", "s1", "Alpha");
  create_room("b1", "s2", "Beta");
  create_room("b1", "s3", "Gamma");
  insert("b1.s1", "s1", "b1", "one");
  insert("b1.s3", "s3", "b1", "three");
  insert("b1.s2", "s2", "b1", "two");  // the newest message: s2 first among unpinned
  ASSERT_EQ(send(http::verb::post, "/v1/rooms/b1.s3/pin", token("b1"), "").status, 200);

  auto list = get("/v1/rooms?user_id=b1&role=BUYER", token("b1"));
  ASSERT_EQ(list.status, 200);
  EXPECT_STREQ(list.json["user_id"].GetString(), "b1");
  EXPECT_STREQ(list.json["role"].GetString(), "BUYER");
  const auto& rooms = list.json["rooms"];
  ASSERT_EQ(rooms.Size(), 3u);
  EXPECT_STREQ(rooms[0]["_id"].GetString(), "b1.s3");  // pinned
  EXPECT_STREQ(rooms[1]["_id"].GetString(), "b1.s2");  // newest message
  EXPECT_STREQ(rooms[2]["_id"].GetString(), "b1.s1");
  EXPECT_EQ(rooms[1]["buyer_unseen_messages"].GetInt(), 1);
  EXPECT_STREQ(rooms[1]["buyer_last_message"]["content"].GetString(), "two");
  const std::set<std::string> expected{"_id",
                                       "type",
                                       "creator",
                                       "buyer",
                                       "seller",
                                       "shop_id",
                                       "shop",
                                       "buyer_last_message",
                                       "buyer_unseen_messages",
                                       "deleted_by_buyer",
                                       "enable",
                                       "created_at",
                                       "updated_at"};
  EXPECT_EQ(keys(rooms[1]), expected);
  EXPECT_TRUE(rooms[0].HasMember("pinned_by_buyer"));

  auto named = get("/v1/rooms?role=BUYER&name=bet", token("b1"));
  ASSERT_EQ(named.json["rooms"].Size(), 1u);
  EXPECT_STREQ(named.json["rooms"][0]["_id"].GetString(), "b1.s2");
  EXPECT_EQ(get("/v1/rooms?role=BUYER&pinned=1", token("b1")).json["rooms"].Size(), 1u);
  EXPECT_EQ(get("/v1/rooms?role=BUYER&pinned=0", token("b1")).json["rooms"].Size(), 2u);

  // Deleting drops the room from that side's list only.
  ASSERT_EQ(send(http::verb::delete_, "/v1/rooms/b1.s2", token("b1")).status, 200);
  auto after = get("/v1/rooms", token("b1", "BUYER"));
  ASSERT_EQ(after.json["rooms"].Size(), 2u);
  EXPECT_STREQ(after.json["rooms"][1]["_id"].GetString(), "b1.s1");
  auto seller = get("/v1/rooms?role=SELLER", token("s2"));
  ASSERT_EQ(seller.json["rooms"].Size(), 1u);
  EXPECT_STREQ(seller.json["rooms"][0]["buyer_info"]["name"].GetString(), "Bob");
  EXPECT_FALSE(seller.json["rooms"][0].HasMember("shop"));

  EXPECT_EQ(get("/v1/rooms", token("b1")).status, 400);  // no role anywhere
  EXPECT_EQ(get("/v1/rooms?role=BUYER&user_id=b2", token("b1")).status, 403);
  EXPECT_EQ(get("/v1/rooms?role=BUYER&pinned=2", token("b1")).status, 400);
  EXPECT_EQ(get("/v1/rooms?role=BUYER&role=SELLER", token("b1")).status, 400);
}

TEST_F(RestHandlerTest, SeenResetsTheCounterAndTellsTheSender) {
  create_room("b1", "s1");
  const auto m1 = insert("b1.s1", "s1", "b1", "a");
  const auto m2 = insert("b1.s1", "s1", "b1", "b");
  insert("b1.s1", "b1", "s1", "mine");
  EXPECT_EQ(get("/v1/unread", token("b1")).json["total"].GetInt(), 2);

  auto seen = send(http::verb::put, "/v1/rooms/b1.s1/seen", token("b1"),
                   R"({"user_id":"b1","role":"BUYER"})");
  ASSERT_EQ(seen.status, 200) << seen.raw.body();
  EXPECT_TRUE(seen.json["status"].GetBool());
  EXPECT_EQ(seen.json["room"]["buyer_unseen_messages"].GetInt(), 0);
  EXPECT_TRUE(seen.json["room"]["buyer_last_message"]["is_seen"].GetBool());
  auto ann = take_announcements();
  ASSERT_EQ(ann.size(), 1u);
  EXPECT_EQ(ann[0].event, "seen_messages");
  // The sender learns what was read; the reader's tabs clear their badges (as over the socket).
  EXPECT_EQ(ann[0].users, (std::vector<std::string>{"b1", "s1"}));
  ASSERT_EQ(ann[0].json["message_ids"].Size(), 2u);
  EXPECT_EQ(ann[0].json["message_ids"][0].GetString(), m1.id);
  EXPECT_EQ(ann[0].json["message_ids"][1].GetString(), m2.id);

  auto unread = get("/v1/unread", token("b1"));
  EXPECT_EQ(unread.json["total"].GetInt(), 0);
  EXPECT_EQ(get("/v1/unread", token("s1")).json["total"].GetInt(), 1);
  EXPECT_EQ(send(http::verb::put, "/v1/rooms/b1.s1/seen", token("x"), "").status, 403);
}

TEST_F(RestHandlerTest, UnreadCountsPerRoom) {
  create_room("b1", "s1");
  create_room("b1", "s2");
  create_room("b2", "b1");  // b1 is the seller here
  insert("b1.s1", "s1", "b1", "x");
  insert("b1.s2", "s2", "b1", "x");
  insert("b1.s2", "s2", "b1", "y");
  insert("b2.b1", "b2", "b1", "z");
  auto r = get("/v1/unread?user_id=b1", token("b1"));
  ASSERT_EQ(r.status, 200);
  EXPECT_STREQ(r.json["user_id"].GetString(), "b1");
  EXPECT_EQ(r.json["total"].GetInt(), 4);
  ASSERT_EQ(r.json["rooms"].Size(), 3u);
  std::map<std::string, int> counts;
  for (const auto& room : r.json["rooms"].GetArray())
    counts[room["room_id"].GetString()] = room["unseen"].GetInt();
  EXPECT_EQ(counts, (std::map<std::string, int>{{"b1.s1", 1}, {"b1.s2", 2}, {"b2.b1", 1}}));
  EXPECT_EQ(get("/v1/unread?user_id=s1", token("b1")).status, 403);
}

// --- messages ------------------------------------------------------------------------------

TEST_F(RestHandlerTest, MessagePageHasTheOriginalsShape) {
  create_room("b1", "s1");
  for (int i = 0; i < 20; ++i)
    insert("b1.s1", i % 2 ? "b1" : "s1", i % 2 ? "s1" : "b1", std::to_string(i));
  auto page = get("/v1/messages?room_id=b1.s1", token("b1"));
  ASSERT_EQ(page.status, 200) << page.raw.body();
  EXPECT_STREQ(page.json["room_id"].GetString(), "b1.s1");
  EXPECT_EQ(page.json["filters"]["message_count"].GetInt(), 15);
  EXPECT_TRUE(page.json["filters"]["from"].IsNull());
  EXPECT_EQ(page.json["filters"]["created_at"].GetInt(), 1);
  ASSERT_EQ(page.json["data"].Size(), 15u);
  EXPECT_STREQ(page.json["data"][0]["content"].GetString(), "0");  // oldest first
  EXPECT_EQ(keys(page.json["data"][0]),
            (std::set<std::string>{"_id", "room_id", "from", "to", "type", "content", "is_seen",
                                   "created_at", "updated_at"}));
  EXPECT_FALSE(page.json["filters"]["next_cursor"].IsNull());

  auto newest = get("/v1/messages?room_id=b1.s1&created_at=-1&limit=5", token("s1"));
  ASSERT_EQ(newest.status, 200);
  ASSERT_EQ(newest.json["data"].Size(), 5u);
  EXPECT_STREQ(newest.json["data"][0]["content"].GetString(), "19");

  auto from = get(
      "/v1/messages?room_id=b1.s1&created_at=-1&limit=100&from=" + std::to_string(now_ms() + 60000),
      token("s1"));
  EXPECT_EQ(from.json["data"].Size(), 20u);
  EXPECT_TRUE(from.json["filters"]["next_cursor"].IsNull());
  EXPECT_EQ(
      get("/v1/messages?room_id=b1.s1&from=2000-01-01T00:00:00Z", token("b1")).json["data"].Size(),
      0u);
}

TEST_F(RestHandlerTest, MessageRefusals) {
  create_room("b1", "s1");
  EXPECT_EQ(get("/v1/messages?room_id=b1.s1", token("x")).status, 403);
  EXPECT_EQ(get("/v1/messages?room_id=b1.s1&role=SELLER", token("b1")).status, 403);
  EXPECT_EQ(get("/v1/messages?room_id=b9.s9", token("b1")).status, 404);
  for (const char* bad :
       {"limit=0", "limit=-1", "limit=abc", "created_at=2", "cursor=x", "from=soon"}) {
    auto r = get(std::string("/v1/messages?room_id=b1.s1&") + bad, token("b1"));
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.code(), "VALIDATION_ERROR") << bad;
  }
  EXPECT_EQ(get("/v1/messages", token("b1")).status, 400);
  auto capped = get("/v1/messages?room_id=b1.s1&limit=1000", token("b1"));
  EXPECT_EQ(capped.status, 200);
  EXPECT_EQ(capped.json["filters"]["message_count"].GetInt(), 100);
}

// Pages through the room b1.s1 with the cursor, calling `between_pages` after each page.
std::vector<std::string> page_all(RestHandlerTest& t, const std::string& tok, bool newest_first,
                                  int limit, const std::function<void(int)>& between_pages) {
  std::vector<std::string> ids;
  std::string cursor;
  for (int page = 0; page < 1000; ++page) {
    std::string target = "/v1/messages?room_id=b1.s1&limit=" + std::to_string(limit);
    if (newest_first) target += "&created_at=-1";
    if (!cursor.empty()) target += "&cursor=" + cursor;
    auto r = t.get(target, tok);
    EXPECT_EQ(r.status, 200);
    if (r.status != 200) break;
    EXPECT_LE(r.json["data"].Size(), static_cast<unsigned>(limit));
    for (const auto& m : r.json["data"].GetArray()) ids.emplace_back(m["_id"].GetString());
    if (r.json["filters"]["next_cursor"].IsNull()) break;
    cursor = r.json["filters"]["next_cursor"].GetString();
    EXPECT_EQ(cursor, ids.back());
    between_pages(page);
  }
  return ids;
}

// Inserts `n` messages concurrently (the store batches them) and returns their ids.
std::vector<std::string> insert_many(store::Store& store, int n, const std::string& prefix) {
  std::vector<std::future<Result<store::InsertMessageResult>>> pending;
  std::vector<std::shared_ptr<std::promise<Result<store::InsertMessageResult>>>> promises;
  for (int i = 0; i < n; ++i) {
    auto p = std::make_shared<std::promise<Result<store::InsertMessageResult>>>();
    pending.push_back(p->get_future());
    const bool buyer = i % 2 == 0;
    store.insert_message(
        store::NewMessage{"b1.s1", buyer ? "b1" : "s1", buyer ? "s1" : "b1",
                          store::MessageType::Text, prefix + std::to_string(i), ""},
        [p](Result<store::InsertMessageResult> r) { p->set_value(std::move(r)); });
  }
  std::vector<std::string> ids;
  for (auto& f : pending) {
    auto r = f.get();
    EXPECT_TRUE(r);
    if (r) ids.push_back(r->message.id);
  }
  return ids;
}

TEST_F(RestHandlerTest, PagingThrough1000MessagesBothWaysReturnsEachOnce) {
  create_room("b1", "s1");
  auto stored = insert_many(*store_, 1000, "m");
  ASSERT_EQ(stored.size(), 1000u);
  std::sort(stored.begin(), stored.end());

  auto forward = page_all(*this, token("b1"), false, 100, [](int) {});
  EXPECT_EQ(forward, stored);  // each once, oldest first

  auto backward = page_all(*this, token("s1"), true, 37, [](int) {});
  std::reverse(backward.begin(), backward.end());
  EXPECT_EQ(backward, stored);  // each once, newest first
}

TEST_F(RestHandlerTest, PagingIsStableWhileMessagesArrive) {
  create_room("b1", "s1");
  auto before = insert_many(*store_, 300, "old");
  std::sort(before.begin(), before.end());
  std::vector<std::string> arrived;

  // Newest first: what arrives while paging back is newer than the cursor and never shows up
  // or shifts the pages; exactly the messages that existed are returned, each once.
  auto backward = page_all(*this, token("b1"), true, 25, [&](int) {
    auto more = insert_many(*store_, 7, "new");
    arrived.insert(arrived.end(), more.begin(), more.end());
  });
  std::reverse(backward.begin(), backward.end());
  EXPECT_EQ(backward, before);

  // Oldest first: everything that exists at the end is returned once, in order, including
  // what arrived during the walk.
  int rounds = 0;
  auto forward = page_all(*this, token("b1"), false, 40, [&](int) {
    if (++rounds > 5) return;
    auto more = insert_many(*store_, 9, "late");
    arrived.insert(arrived.end(), more.begin(), more.end());
  });
  std::vector<std::string> everything = before;
  everything.insert(everything.end(), arrived.begin(), arrived.end());
  std::sort(everything.begin(), everything.end());
  EXPECT_EQ(forward, everything);
}

TEST_F(RestHandlerTest, PostMessageAsTheOriginalsOlderVariant) {
  create_room("b1", "s1");
  const char* body =
      R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"TEXT","content":"hello","client_message_id":"c1"})";
  auto sent = send(http::verb::post, "/v1/messages", token("b1"), body);
  ASSERT_EQ(sent.status, 200) << sent.raw.body();
  EXPECT_TRUE(sent.json["status"].GetBool());
  const std::string id = sent.json["data"]["_id"].GetString();
  EXPECT_STREQ(sent.json["data"]["content"].GetString(), "hello");
  EXPECT_STREQ(sent.json["data"]["client_message_id"].GetString(), "c1");
  auto ann = take_announcements();
  ASSERT_EQ(ann.size(), 1u);
  EXPECT_EQ(ann[0].event, "new_message");
  EXPECT_EQ(ann[0].users, (std::vector<std::string>{"b1", "s1"}));
  EXPECT_EQ(ann[0].json["_id"].GetString(), id);

  // A retry returns the stored message and is not delivered again.
  auto retry = send(http::verb::post, "/v1/messages", token("b1"), body);
  ASSERT_EQ(retry.status, 200);
  EXPECT_EQ(retry.json["data"]["_id"].GetString(), id);
  EXPECT_TRUE(take_announcements().empty());

  auto forged = send(http::verb::post, "/v1/messages", token("s1"), body);
  EXPECT_EQ(forged.status, 403);
  auto wrong_to = send(http::verb::post, "/v1/messages", token("b1"),
                       R"({"room_id":"b1.s1","from":"b1","to":"zz","type":"TEXT","content":"x"})");
  EXPECT_EQ(wrong_to.status, 403);
  auto stranger = send(http::verb::post, "/v1/messages", token("x"),
                       R"({"room_id":"b1.s1","from":"x","to":"s1","type":"TEXT","content":"x"})");
  EXPECT_EQ(stranger.status, 403);
  auto bad_type = send(http::verb::post, "/v1/messages", token("b1"),
                       R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"VIDEO","content":"x"})");
  EXPECT_EQ(bad_type.status, 422);
  EXPECT_EQ(bad_type.code(), "UNKNOWN_MESSAGE_TYPE");
  const std::string huge = R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"TEXT","content":")" +
                           std::string(5000, 'x') + "\"}";
  auto too_big = send(http::verb::post, "/v1/messages", token("b1"), huge);
  EXPECT_EQ(too_big.status, 422);
  EXPECT_EQ(too_big.code(), "CONTENT_TOO_LARGE");
  EXPECT_TRUE(take_announcements().empty());
}

TEST_F(RestHandlerTest, EditIsForTheSenderAndAnnouncedToBoth) {
  create_room("b1", "s1");
  const auto m = insert("b1.s1", "b1", "s1", "draft");
  auto edited =
      send(http::verb::put, "/v1/messages/" + m.id, token("b1"), R"({"content":"final"})");
  ASSERT_EQ(edited.status, 200) << edited.raw.body();
  EXPECT_TRUE(edited.json["status"].GetBool());
  EXPECT_STREQ(edited.json["data"]["content"].GetString(), "final");
  EXPECT_EQ(edited.json["data"]["_id"].GetString(), m.id);
  auto ann = take_announcements();
  ASSERT_EQ(ann.size(), 1u);
  EXPECT_EQ(ann[0].event, "message_updated");
  EXPECT_EQ(ann[0].users, (std::vector<std::string>{"b1", "s1"}));
  EXPECT_STREQ(ann[0].json["content"].GetString(), "final");

  auto page = get("/v1/messages?room_id=b1.s1", token("s1"));
  EXPECT_STREQ(page.json["data"][0]["content"].GetString(), "final");

  auto not_sender =
      send(http::verb::put, "/v1/messages/" + m.id, token("s1"), R"({"content":"x"})");
  EXPECT_EQ(not_sender.status, 403);
  auto unknown = send(http::verb::put, "/v1/messages/01HF0000000000000000000000", token("b1"),
                      R"({"content":"x"})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.code(), "MESSAGE_NOT_FOUND");
  EXPECT_EQ(send(http::verb::put, "/v1/messages/" + m.id, token("b1"), R"({"content":""})").status,
            400);
  EXPECT_EQ(send(http::verb::put, "/v1/messages/" + m.id, token("b1"), "[1]").status, 400);
  EXPECT_TRUE(take_announcements().empty());
}

// --- shop and account services ------------------------------------------------------------

TEST_F(RestHandlerTest, CreateRoomTakesDetailsFromTheServices) {
  testing_support::StubService shops(200, R"({"data":{"name":"Remote Shop","logo":"l.png"}})");
  testing_support::StubService accounts(200, R"({"name":"Remote Bob","email":"rb@x","role":"x"})");
  RestOptions options;
  options.lookups.shop_service = shops.url("/shops/{id}");
  options.lookups.account_service = accounts.url("/users/{id}");
  make_handler(options);
  auto r = send(http::verb::post, "/v1/rooms", token("b1"),
                R"({"buyer":"b1","seller":"s1","shop_id":"77","shop":{"name":"Client Shop"},
                    "buyer_info":{"name":"Client Bob"}})");
  ASSERT_EQ(r.status, 200) << r.raw.body();
  EXPECT_STREQ(r.json["room"]["shop"]["name"].GetString(), "Remote Shop");
  EXPECT_STREQ(r.json["room"]["shop"]["logo"].GetString(), "l.png");
  EXPECT_EQ(shops.last_target(), "/shops/77");
  EXPECT_EQ(accounts.last_target(), "/users/b1");
  auto seller = get("/v1/rooms/b1.s1", token("s1"));
  EXPECT_STREQ(seller.json["room"]["buyer_info"]["name"].GetString(), "Remote Bob");
  EXPECT_FALSE(seller.json["room"]["buyer_info"].HasMember("role"));
  EXPECT_EQ(get("/v1/rooms?role=SELLER&name=remote", token("s1")).json["rooms"].Size(), 1u);
}

TEST_F(RestHandlerTest, CreateRoomKeepsTheClientsDetailsWhenAServiceFails) {
  testing_support::StubService shops(503, R"({"error":"down"})");
  RestOptions options;
  options.lookups.shop_service = shops.url("/shops/{id}");
  options.lookups.account_service = "http://127.0.0.1:1/users/{id}";  // nothing listens
  make_handler(options);
  auto r = send(http::verb::post, "/v1/rooms", token("b1"),
                R"({"buyer":"b1","seller":"s1","shop_id":"77","shop":{"name":"Client Shop"},
                    "buyer_info":{"name":"Client Bob"}})");
  ASSERT_EQ(r.status, 200) << r.raw.body();
  EXPECT_STREQ(r.json["room"]["shop"]["name"].GetString(), "Client Shop");
  EXPECT_EQ(shops.requests(), 1);
  auto seller = get("/v1/rooms/b1.s1", token("s1"));
  EXPECT_STREQ(seller.json["room"]["buyer_info"]["name"].GetString(), "Client Bob");
}

// --- CORS ----------------------------------------------------------------------------------

TEST_F(RestHandlerTest, CorsFollowsTheConfiguredOrigins) {
  RestOptions options;
  options.cors_origins = {"http://app.example"};
  make_handler(options);
  auto pre = send(http::verb::options, "/v1/rooms/b1.s1/pin", "", "",
                  {{http::field::origin, "http://app.example"},
                   {http::field::access_control_request_method, "DELETE"},
                   {http::field::access_control_request_headers, "authorization,content-type"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.header(http::field::access_control_allow_origin), "http://app.example");
  EXPECT_EQ(pre.header(http::field::access_control_allow_methods), "POST, DELETE, OPTIONS");
  EXPECT_NE(pre.header(http::field::access_control_allow_headers).find("Authorization"),
            std::string::npos);
  EXPECT_EQ(pre.header(http::field::vary), "Origin");

  auto evil = send(http::verb::options, "/v1/rooms", "", "",
                   {{http::field::origin, "http://evil.example"},
                    {http::field::access_control_request_method, "GET"}});
  EXPECT_EQ(evil.status, 204);
  EXPECT_EQ(evil.header(http::field::access_control_allow_origin), "");

  auto refused = send(http::verb::get, "/v1/rooms?role=BUYER", "", "",
                      {{http::field::origin, "http://app.example"}});
  EXPECT_EQ(refused.status, 401);  // refusals carry CORS too, so the page can read them
  EXPECT_EQ(refused.header(http::field::access_control_allow_origin), "http://app.example");
  auto ok = send(http::verb::get, "/v1/rooms?role=BUYER", token("b1"), "",
                 {{http::field::origin, "http://app.example"}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.header(http::field::access_control_allow_origin), "http://app.example");
  EXPECT_EQ(send(http::verb::options, "/v1/nothing", "").status, 404);
}

TEST_F(RestHandlerTest, NoCorsHeadersWithoutConfiguredOrigins) {
  auto r = send(http::verb::get, "/v1/rooms?role=BUYER", token("b1"), "",
                {{http::field::origin, "http://app.example"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header(http::field::access_control_allow_origin), "");
  auto pre = send(http::verb::options, "/v1/rooms", "", "",
                  {{http::field::origin, "http://app.example"},
                   {http::field::access_control_request_method, "GET"}});
  EXPECT_EQ(pre.status, 204);
  EXPECT_EQ(pre.header(http::field::allow), "GET, POST, OPTIONS");
  EXPECT_EQ(pre.header(http::field::access_control_allow_origin), "");
}

}  // namespace
}  // namespace cz::messenger::rest
