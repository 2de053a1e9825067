#pragma once
// The /messenger namespace on a real Socket.IO server (one shard, driven by the test thread)
// and a real SQLite store in a temp directory; clients are fake Engine.IO connections that
// speak Socket.IO packets. Exercises the handlers without the network layers.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <rapidjson/document.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../socketio/fake_connection.hpp"
#include "messenger/messenger.hpp"
#include "socketio/server.hpp"
#include "store/store.hpp"
#include "util/base64.hpp"
#include "util/time.hpp"

namespace cz::messenger::testing {

inline const std::string kSecret = "unit-test-secret";

inline std::string mint(const std::string& sub, const std::string& role = "",
                        std::int64_t exp_offset_s = 3600, const std::string& key = kSecret) {
  std::string payload =
      R"({"sub":")" + sub + R"(","exp":)" + std::to_string(now_ms() / 1000 + exp_offset_s);
  if (!role.empty()) payload += R"(,"role":")" + role + "\"";
  payload += "}";
  const std::string input =
      base64::url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." + base64::url_encode(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + base64::url_encode(std::string(reinterpret_cast<char*>(mac), len));
}

using Conn = std::shared_ptr<socketio::testing::FakeConnection>;

class MessengerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cz-messenger-test-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_);
    store_ = store::open_store("sqlite:" + (dir_ / "test.db").string());
    server_ = std::make_unique<socketio::Server>(
        std::vector<boost::asio::any_io_executor>{io_.get_executor()});
    Options options;
    options.jwt.hs256_secret = kSecret;
    options.limits.max_content_bytes = 64;
    options.shards = {io_.get_executor()};
    configure(options);
    messenger_ = install(*server_, *store_, options);
  }

  // Lets a test suite change the options before the messenger is installed.
  virtual void configure(Options&) {}

  void TearDown() override {
    for (auto& c : connections_)
      boost::asio::post(io_, [c] { c->report_close("transport close"); });
    settle();
    store_->shutdown();
    drain();
    for (auto& c : connections_) c->release();
    drain();
    messenger_.reset();
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void drain() {
    io_.restart();
    while (io_.poll() > 0) {
    }
  }
  // Runs the loop until `done` holds (store answers arrive from the store's threads).
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.restart();
      io_.run_for(std::chrono::milliseconds(2));
    }
    return true;
  }
  // Lets in-flight work finish (for "nothing arrives" checks).
  void settle(std::chrono::milliseconds for_ = std::chrono::milliseconds(100)) {
    io_.restart();
    io_.run_for(for_);
    drain();
  }

  Conn open() {
    auto c = std::make_shared<socketio::testing::FakeConnection>(
        "eio" + std::to_string(connections_.size()), 0, io_);
    connections_.push_back(c);
    boost::asio::post(io_, [this, c] { server_->on_connection(c); });
    drain();
    return c;
  }

  void send(const Conn& c, std::string text) {
    boost::asio::post(io_, [c, text = std::move(text)] { c->receive(text); });
    drain();
  }

  // Opens /messenger with this CONNECT auth payload; returns the connection once the server
  // answered (CONNECT or CONNECT_ERROR).
  Conn connect_with(const std::string& auth_json) {
    auto c = open();
    send(c, "0/messenger," + auth_json);
    EXPECT_TRUE(run_until([&] { return !c->texts().empty(); }));
    return c;
  }

  // `token`: mint(user) when empty.
  Conn login(const std::string& user, const std::string& role = "BUYER",
             const std::string& token = "") {
    auto c = connect_with(R"({"token":")" + (token.empty() ? mint(user) : token) +
                          R"(","user_id":")" + user + R"(","user_role":")" + role + "\"}");
    EXPECT_EQ(c->texts().at(0).rfind("40/messenger,{\"sid\"", 0), 0u) << c->texts().at(0);
    return c;
  }

  void emit(const Conn& c, const std::string& event, const std::string& arg_json, int ack_id = -1) {
    std::string packet = "2/messenger,";
    if (ack_id >= 0) packet += std::to_string(ack_id);
    packet += "[\"" + event + "\"" + (arg_json.empty() ? "" : "," + arg_json) + "]";
    send(c, std::move(packet));
  }

  static std::unique_ptr<rapidjson::Document> parse(const std::string& text) {
    auto d = std::make_unique<rapidjson::Document>();
    d->Parse(text.c_str());
    if (d->HasParseError()) ADD_FAILURE() << "bad JSON: " << text;
    return d;
  }

  // The arguments (a JSON array) of every `event` the client received, in order.
  static std::vector<std::unique_ptr<rapidjson::Document>> events(const Conn& c,
                                                                  const std::string& event) {
    std::vector<std::unique_ptr<rapidjson::Document>> out;
    const std::string prefix = "42/messenger,[\"" + event + "\"";
    for (const auto& t : c->texts()) {
      if (t.rfind(prefix, 0) != 0) continue;
      out.push_back(parse("[" + t.substr(prefix.size() + 1)));
    }
    return out;
  }

  // The first argument of ack `id`, or null when none arrived yet.
  static std::unique_ptr<rapidjson::Document> ack(const Conn& c, int id) {
    const std::string prefix = "43/messenger," + std::to_string(id) + "[";
    for (const auto& t : c->texts()) {
      if (t.rfind(prefix, 0) != 0) continue;
      auto args = parse(t.substr(prefix.size() - 1));
      auto first = std::make_unique<rapidjson::Document>();
      first->CopyFrom((*args)[0], first->GetAllocator());
      return first;
    }
    return nullptr;
  }

  // Emits with an ack and waits for it.
  std::unique_ptr<rapidjson::Document> call(const Conn& c, const std::string& event,
                                            const std::string& arg_json) {
    const int id = next_ack_id_++;
    emit(c, event, arg_json, id);
    EXPECT_TRUE(run_until([&] { return ack(c, id) != nullptr; })) << "no ack for " << event;
    auto reply = ack(c, id);
    return reply ? std::move(reply) : std::make_unique<rapidjson::Document>();
  }

  static std::string error_code(const rapidjson::Value& reply) {
    if (!reply.IsObject() || !reply.HasMember("error")) return "OK";
    return reply["error"]["code"].GetString();
  }

  // Creates the room b.s as the buyer and clears both clients' records.
  void create_room(const Conn& buyer, const std::string& b, const std::string& s) {
    auto r =
        call(buyer, "create_room",
             R"({"type":"BS","buyer":")" + b + R"(","seller":")" + s + R"(","shop_id":"shop1"})");
    ASSERT_EQ(error_code(*r), "OK");
  }

  boost::asio::io_context io_{1};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<socketio::Server> server_;
  std::unique_ptr<Messenger> messenger_;
  std::vector<Conn> connections_;
  int next_ack_id_ = 1;
};

}  // namespace cz::messenger::testing
