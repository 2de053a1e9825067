// Rooms and broadcasts across two shards, each an io_context run by its own thread.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <deque>
#include <thread>

#include "fake_connection.hpp"
#include "socketio/adapter.hpp"
#include "socketio/local_adapter.hpp"
#include "socketio/namespace.hpp"
#include "socketio/server.hpp"
#include "socketio/socket.hpp"

namespace cz::socketio::testing {
namespace {

using Guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;

class TwoShards : public ::testing::Test {
 protected:
  struct Client {
    std::shared_ptr<FakeConnection> connection;
    std::shared_ptr<Socket> socket;
    boost::asio::io_context* io;
  };

  void SetUp() override {
    for (int i = 0; i < 2; ++i) {
      guards_.emplace_back(io_[i].get_executor());
      threads_.emplace_back([this, i] { io_[i].run(); });
    }
    nsp_ = &server_.of("/test");
    nsp_->on_connection([this](const std::shared_ptr<Socket>& s) { last_ = s; });
  }

  void TearDown() override {
    for (auto& c : clients_) run_on(*c.io, [&] { c.connection->report_close("transport close"); });
    barrier();
    for (auto& c : clients_) run_on(*c.io, [&] { c.connection->release(); });
    for (auto& g : guards_) g.reset();
    for (auto& t : threads_) t.join();
  }

  // A client connected to /test on `shard`.
  Client& add_client(net::ShardId shard) {
    auto connection =
        std::make_shared<FakeConnection>("c" + std::to_string(clients_.size()), shard, io_[shard]);
    auto socket = run_on(io_[shard], [&] {
      server_.on_connection(connection);
      connection->receive("0/test,");
      return last_;
    });
    EXPECT_TRUE(socket);
    connection->clear_sent();
    clients_.push_back(Client{connection, socket, &io_[shard]});
    return clients_.back();
  }

  void join(Client& c, const std::string& room) {
    run_on(*c.io, [&] { c.socket->join(room); });
  }
  void leave(Client& c, const std::string& room) {
    run_on(*c.io, [&] { c.socket->leave(room); });
  }

  // Once both shards ran an empty task, everything posted to them before has run.
  void barrier() {
    for (auto& io : io_) run_on(io, [] {});
  }

  std::vector<std::string> received(const Client& c) { return c.connection->texts(); }
  void clear() {
    for (auto& c : clients_) c.connection->clear_sent();
  }

  boost::asio::io_context io_[2]{boost::asio::io_context(1), boost::asio::io_context(1)};
  std::vector<Guard> guards_;
  std::vector<std::thread> threads_;
  Server server_{{io_[0].get_executor(), io_[1].get_executor()}};
  Namespace* nsp_ = nullptr;
  std::shared_ptr<Socket> last_;
  std::deque<Client> clients_;
};

using Strings = std::vector<std::string>;

TEST_F(TwoShards, NamespaceEmitReachesEverySocketWithOneSharedBuffer) {
  auto& a = add_client(0);
  auto& b = add_client(1);
  auto& c = add_client(1);
  nsp_->emit("news", "{\"n\":1}");
  barrier();
  for (auto* client : {&a, &b, &c})
    EXPECT_EQ(received(*client), Strings{"42/test,[\"news\",{\"n\":1}]"});
  // Encoded once: every recipient queued the very same bytes.
  auto buffer = a.connection->sent().at(0).buffer;
  EXPECT_EQ(b.connection->sent().at(0).buffer, buffer);
  EXPECT_EQ(c.connection->sent().at(0).buffer, buffer);
}

TEST_F(TwoShards, RoomBroadcastReachesOnlyMembersOnBothShards) {
  auto& a = add_client(0);
  auto& b = add_client(1);
  auto& c = add_client(1);
  join(a, "r");
  join(b, "r");
  nsp_->to("r").emit("m", "1");
  barrier();
  EXPECT_EQ(received(a), Strings{"42/test,[\"m\",1]"});
  EXPECT_EQ(received(b), Strings{"42/test,[\"m\",1]"});
  EXPECT_TRUE(received(c).empty());

  clear();
  leave(b, "r");
  nsp_->to("r").emit("m", "2");
  barrier();
  EXPECT_EQ(received(a), Strings{"42/test,[\"m\",2]"});
  EXPECT_TRUE(received(b).empty());
}

TEST_F(TwoShards, SocketToExcludesTheSender) {
  auto& a = add_client(0);
  auto& b = add_client(1);
  auto& a2 = add_client(0);
  for (auto* c : {&a, &b, &a2}) join(*c, "r");
  run_on(*a.io, [&] { a.socket->to("r").emit("m"); });
  barrier();
  EXPECT_TRUE(received(a).empty());
  EXPECT_EQ(received(b), Strings{"42/test,[\"m\"]"});
  EXPECT_EQ(received(a2), Strings{"42/test,[\"m\"]"});
}

TEST_F(TwoShards, SocketBroadcastReachesEveryoneElse) {
  auto& a = add_client(0);
  auto& b = add_client(1);
  auto& c = add_client(1);
  join(c, "r");
  run_on(*a.io, [&] { a.socket->broadcast().emit("all"); });
  run_on(*a.io, [&] { a.socket->broadcast().to("r").emit("room"); });
  barrier();
  EXPECT_TRUE(received(a).empty());
  EXPECT_EQ(received(b), Strings{"42/test,[\"all\"]"});
  EXPECT_EQ(received(c), (Strings{"42/test,[\"all\"]", "42/test,[\"room\"]"}));
}

TEST_F(TwoShards, ExceptRoomsAndOwnIdRooms) {
  auto& a = add_client(0);
  auto& b = add_client(1);
  auto& c = add_client(1);
  for (auto* x : {&a, &b, &c}) join(*x, "r");
  join(b, "muted");
  nsp_->to("r").except("muted").emit("m");
  barrier();
  EXPECT_EQ(received(a).size(), 1u);
  EXPECT_TRUE(received(b).empty());
  EXPECT_EQ(received(c).size(), 1u);

  // A socket's own id is a room: private messages.
  clear();
  nsp_->to(c.socket->id()).emit("dm");
  barrier();
  EXPECT_TRUE(received(a).empty());
  EXPECT_TRUE(received(b).empty());
  EXPECT_EQ(received(c), Strings{"42/test,[\"dm\"]"});

  // Excluding by socket id.
  clear();
  nsp_->except(a.socket->id()).emit("all-but-a");
  barrier();
  EXPECT_TRUE(received(a).empty());
  EXPECT_EQ(received(b).size(), 1u);
  EXPECT_EQ(received(c).size(), 1u);
}

TEST_F(TwoShards, SocketInSeveralTargetRoomsGetsThePacketOnce) {
  auto& a = add_client(0);
  auto& b = add_client(1);
  join(a, "r1");
  join(a, "r2");
  join(b, "r2");
  nsp_->to("r1").to("r2").to(a.socket->id()).emit("once");
  barrier();
  EXPECT_EQ(received(a), Strings{"42/test,[\"once\"]"});
  EXPECT_EQ(received(b), Strings{"42/test,[\"once\"]"});
}

TEST_F(TwoShards, BinaryBroadcastSendsAttachmentsAfterTheText) {
  auto& a = add_client(0);
  auto& b = add_client(1);
  nsp_->emit("file", Payload{"{\"_placeholder\":true,\"num\":0}", {make_buffer("bytes")}});
  barrier();
  for (auto* c : {&a, &b}) {
    auto sent = c->connection->sent();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].text(), "451-/test,[\"file\",{\"_placeholder\":true,\"num\":0}]");
    EXPECT_FALSE(sent[0].binary);
    EXPECT_EQ(sent[1].text(), "bytes");
    EXPECT_TRUE(sent[1].binary);
  }
}

TEST_F(TwoShards, BroadcastFromAHandlerReachesItsOwnShardBeforeLaterEmits) {
  auto& a = add_client(0);
  nsp_->on("go", [this](Socket& s, const Event&, Ack) {
    nsp_->emit("broadcast");
    s.emit("direct");
  });
  run_on(*a.io, [&] { a.connection->receive("2/test,[\"go\"]"); });
  barrier();
  EXPECT_EQ(received(a), (Strings{"42/test,[\"broadcast\"]", "42/test,[\"direct\"]"}));
}

TEST_F(TwoShards, DisconnectedSocketsLeaveEveryRoom) {
  auto& a = add_client(0);
  auto& b = add_client(1);
  join(a, "r");
  join(b, "r");
  run_on(*b.io, [&] { b.connection->receive("1/test,"); });
  auto& adapter = static_cast<LocalAdapter&>(nsp_->adapter());
  EXPECT_EQ(run_on(io_[1], [&] { return adapter.room_size(1, "r"); }), 0u);
  EXPECT_EQ(run_on(io_[1], [&] { return adapter.socket_count(1); }), 0u);
  EXPECT_EQ(run_on(io_[0], [&] { return adapter.room_size(0, "r"); }), 1u);
  nsp_->to("r").emit("m");
  barrier();
  EXPECT_EQ(received(a).size(), 1u);
  EXPECT_TRUE(received(b).empty());
}

TEST_F(TwoShards, BigRoomsStayConsistent) {
  // Past the small-vector limit a room switches to a hash set; membership must not change.
  std::vector<Client*> members;
  for (int i = 0; i < 40; ++i) members.push_back(&add_client(i % 2));
  for (auto* m : members) join(*m, "big");
  for (int i = 0; i < 40; i += 4) leave(*members[i], "big");
  nsp_->to("big").emit("m");
  barrier();
  for (int i = 0; i < 40; ++i) EXPECT_EQ(received(*members[i]).size(), i % 4 == 0 ? 0u : 1u) << i;
}

TEST_F(TwoShards, ConcurrentBroadcastsFromManyThreadsAreAllDelivered) {
  auto& a = add_client(0);
  auto& b = add_client(1);
  join(a, "r");
  join(b, "r");
  std::vector<std::thread> senders;
  for (int t = 0; t < 4; ++t)
    senders.emplace_back([this] {
      for (int i = 0; i < 250; ++i) nsp_->to("r").emit("m", std::to_string(i));
    });
  for (auto& t : senders) t.join();
  barrier();
  EXPECT_EQ(received(a).size(), 1000u);
  EXPECT_EQ(received(b).size(), 1000u);
}

TEST(BroadcastPacket, EncodesOnceAndKeepsTheFieldsAClusterAdapterNeeds) {
  auto packet = make_broadcast_packet("/chat", "msg", Payload{"1,\"x\"", {make_buffer("b")}});
  EXPECT_EQ(packet->nsp, "/chat");
  EXPECT_EQ(packet->event, "msg");
  EXPECT_EQ(packet->payload.json_args, "1,\"x\"");
  ASSERT_EQ(packet->encoded.size(), 2u);
  EXPECT_EQ(*packet->encoded[0], "451-/chat,[\"msg\",1,\"x\"]");
  EXPECT_EQ(*packet->encoded[1], "b");
}

}  // namespace
}  // namespace cz::socketio::testing
