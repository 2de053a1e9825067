#pragma once
// A Socket.IO server on one io_context (one shard) driven by the test thread, plus fake
// Engine.IO connections.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fake_connection.hpp"
#include "socketio/json_util.hpp"
#include "socketio/namespace.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace cz::socketio::testing {

class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override { make_server({}); }

  void TearDown() override {
    for (auto& c : connections_) {
      boost::asio::post(io_, [c] { c->report_close("transport close"); });
    }
    drain();
    for (auto& c : connections_) c->release();
    drain();
  }

  void make_server(ServerOptions options) {
    server_ = std::make_unique<Server>(
        std::vector<boost::asio::any_io_executor>{io_.get_executor()}, options);
  }

  // Runs everything that is ready (not timers still waiting).
  void drain() {
    io_.restart();
    while (io_.poll() > 0) {
    }
  }
  // Runs the loop for a while (timers).
  void run_for(std::chrono::milliseconds duration) {
    io_.restart();
    io_.run_for(duration);
    drain();
  }

  std::shared_ptr<FakeConnection> open(engineio::HandshakeInfo handshake = {}) {
    auto c = std::make_shared<FakeConnection>("eio" + std::to_string(connections_.size()), 0, io_,
                                              std::move(handshake));
    connections_.push_back(c);
    boost::asio::post(io_, [this, c] { server_->on_connection(c); });
    drain();
    return c;
  }

  void receive(const std::shared_ptr<FakeConnection>& c, std::string text) {
    boost::asio::post(io_, [c, text = std::move(text)] { c->receive(text); });
    drain();
  }
  void receive_binary(const std::shared_ptr<FakeConnection>& c, std::string bytes) {
    boost::asio::post(io_, [c, bytes = std::move(bytes)] { c->receive_binary(bytes); });
    drain();
  }

  // Connects `c` to `nsp` and returns the new server-side socket.
  std::shared_ptr<Socket> connect(const std::shared_ptr<FakeConnection>& c, const std::string& nsp,
                                  const std::string& auth = "") {
    std::shared_ptr<Socket> socket;
    Namespace& ns = server_->of(nsp);
    ns.on_connection([&socket](const std::shared_ptr<Socket>& s) { socket = s; });
    receive(c, "0" + (nsp == "/" ? std::string() : nsp + ",") + auth);
    ns.on_connection(nullptr);
    return socket;
  }

  boost::asio::io_context io_{1};
  std::unique_ptr<Server> server_;
  std::vector<std::shared_ptr<FakeConnection>> connections_;
};

inline std::string to_json(const rapidjson::Value& value) {
  std::string out;
  append_json(out, value);
  return out;
}

}  // namespace cz::socketio::testing
