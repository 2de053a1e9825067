#include <set>
#include <thread>

#include "server_fixture.hpp"
#include "socketio/local_adapter.hpp"
#include "socketio/packet.hpp"

namespace cz::socketio::testing {
namespace {

using namespace std::chrono_literals;
using Server_ = ServerFixture;

std::string sid_of(const std::string& connect_reply) {
  auto start = connect_reply.find("\"sid\":\"") + 7;
  return connect_reply.substr(start, connect_reply.find('"', start) - start);
}

// --- connecting ---

TEST_F(Server_, ConnectsToMainNamespace) {
  std::shared_ptr<Socket> socket;
  server_->of("/").on_connection([&](const std::shared_ptr<Socket>& s) { socket = s; });
  auto c = open();
  receive(c, "0");
  ASSERT_TRUE(socket);
  ASSERT_EQ(c->texts().size(), 1u);
  EXPECT_EQ(c->texts()[0], "40{\"sid\":\"" + socket->id() + "\"}");
  EXPECT_EQ(socket->id().size(), 20u);
  EXPECT_TRUE(socket->connected());
  EXPECT_EQ(socket->nsp().name(), "/");
  // Every socket is in the room named by its own id.
  EXPECT_TRUE(socket->rooms().count(socket->id()));
  auto& adapter = static_cast<LocalAdapter&>(server_->of("/").adapter());
  EXPECT_EQ(adapter.room_size(0, socket->id()), 1u);
  EXPECT_EQ(adapter.socket_count(0), 1u);
}

TEST_F(Server_, ConnectReplyNamesTheNamespace) {
  server_->of("/test");
  auto c = open();
  receive(c, "0/test,");
  ASSERT_EQ(c->texts().size(), 1u);
  EXPECT_EQ(c->texts()[0].rfind("40/test,{\"sid\":\"", 0), 0u) << c->texts()[0];
}

TEST_F(Server_, SocketIdsAreUniqueAndUrlSafe) {
  server_->of("/");
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    auto c = open();
    receive(c, "0");
    std::string id = sid_of(c->texts().at(0));
    EXPECT_EQ(
        id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 50u);
}

TEST_F(Server_, HandshakeCarriesQueryHeadersAndAuth) {
  engineio::HandshakeInfo info;
  info.url = "/socket.io/?EIO=4&transport=polling&room=a";
  info.query = {{"EIO", "4"}, {"transport", "polling"}, {"room", "a"}};
  info.headers = {{"user-agent", "test"}};
  info.remote_address = "127.0.0.1";
  server_->of("/");
  auto c = open(info);
  auto socket = connect(c, "/", "{\"token\":\"secret\",\"nested\":{\"list\":[1,\"two\"]}}");
  ASSERT_TRUE(socket);
  const Handshake& hs = socket->handshake();
  EXPECT_EQ(hs.address, "127.0.0.1");
  EXPECT_EQ(hs.url, info.url);
  EXPECT_EQ(hs.query_param("room"), std::optional<std::string_view>("a"));
  EXPECT_FALSE(hs.query_param("missing"));
  EXPECT_EQ(hs.headers.at(0).second, "test");
  // The auth outlives the packet it came in (a deep copy, not views into the packet).
  receive(c, "2[\"overwrite-the-spare-buffer\",\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]");
  EXPECT_EQ(to_json(hs.auth), "{\"token\":\"secret\",\"nested\":{\"list\":[1,\"two\"]}}");
}

TEST_F(Server_, AuthIsNullWhenAbsent) {
  server_->of("/");
  auto socket = connect(open(), "/");
  ASSERT_TRUE(socket);
  EXPECT_TRUE(socket->handshake().auth.IsNull());
}

TEST_F(Server_, UnknownNamespaceGetsConnectError) {
  server_->of("/");
  auto c = open();
  receive(c, "0/nope,");
  ASSERT_EQ(c->texts().size(), 1u);
  EXPECT_EQ(c->texts()[0], "44/nope,{\"message\":\"Invalid namespace\"}");
  EXPECT_EQ(c->close_calls(), 0);
}

TEST_F(Server_, NamespaceNamesAreNormalized) {
  Namespace& a = server_->of("chat");
  EXPECT_EQ(&a, &server_->of("/chat"));
  EXPECT_EQ(a.name(), "/chat");
}

// --- middleware ---

TEST_F(Server_, MiddlewareRefusalSendsConnectErrorWithData) {
  bool connected = false;
  Namespace& ns = server_->of("/test");
  ns.use([](Socket& s, Next next) {
    auto reason = s.handshake().query_param("refuse");
    if (reason) {
      next(ConnectError{"refused", "{\"reason\":\"" + std::string(*reason) + "\"}"});
    } else {
      next(std::nullopt);
    }
  });
  ns.on_connection([&](const std::shared_ptr<Socket>&) { connected = true; });
  engineio::HandshakeInfo info;
  info.query = {{"refuse", "nope"}};
  auto c = open(info);
  receive(c, "0/test,");
  EXPECT_FALSE(connected);
  ASSERT_EQ(c->texts().size(), 1u);
  EXPECT_EQ(c->texts()[0], "44/test,{\"message\":\"refused\",\"data\":{\"reason\":\"nope\"}}");
  // Refused sockets leave nothing behind, and the namespace can be tried again.
  auto& adapter = static_cast<LocalAdapter&>(ns.adapter());
  EXPECT_EQ(adapter.socket_count(0), 0u);
  receive(c, "0/test,");
  EXPECT_EQ(c->texts().size(), 2u);
}

TEST_F(Server_, MiddlewareRunsInOrderAndSeesAuth) {
  std::vector<std::string> order;
  Namespace& ns = server_->of("/");
  ns.use([&](Socket& s, Next next) {
    order.push_back("first:" + std::string(s.handshake().auth["user"].GetString()));
    s.data() = std::string("alice");
    next(std::nullopt);
  });
  ns.use([&](Socket& s, Next next) {
    order.push_back("second:" + std::any_cast<std::string>(s.data()));
    next(std::nullopt);
  });
  std::shared_ptr<Socket> socket;
  ns.on_connection([&](const std::shared_ptr<Socket>& s) {
    order.push_back("connection");
    socket = s;
  });
  auto c = open();
  receive(c, "0{\"user\":\"alice\"}");
  EXPECT_EQ(order, (std::vector<std::string>{"first:alice", "second:alice", "connection"}));
  ASSERT_TRUE(socket);
}

TEST_F(Server_, AsyncMiddlewareMayAnswerFromAnotherThreadLater) {
  Namespace& ns = server_->of("/");
  std::thread worker;
  ns.use([&](Socket&, Next next) {
    worker = std::thread([next = std::move(next)] {
      std::this_thread::sleep_for(10ms);
      next(std::nullopt);
      next(ConnectError{"ignored", ""});  // a second call is ignored
    });
  });
  std::shared_ptr<Socket> socket;
  ns.on_connection([&](const std::shared_ptr<Socket>& s) { socket = s; });
  auto c = open();
  receive(c, "0");
  EXPECT_FALSE(socket);
  worker.join();
  drain();
  ASSERT_TRUE(socket);
  EXPECT_EQ(c->texts().size(), 1u);
  EXPECT_EQ(c->texts()[0].rfind("40{", 0), 0u);
}

TEST_F(Server_, ConnectionClosedWhileMiddlewareRunsLeavesNoSocket) {
  Namespace& ns = server_->of("/");
  Next pending;
  ns.use([&](Socket& s, Next next) {
    s.join("early");
    pending = std::move(next);
  });
  bool connected = false;
  ns.on_connection([&](const std::shared_ptr<Socket>&) { connected = true; });
  auto c = open();
  receive(c, "0");
  boost::asio::post(io_, [c] { c->report_close("transport close"); });
  drain();
  pending(std::nullopt);
  drain();
  EXPECT_FALSE(connected);
  auto& adapter = static_cast<LocalAdapter&>(ns.adapter());
  EXPECT_EQ(adapter.room_size(0, "early"), 0u);
  EXPECT_EQ(adapter.socket_count(0), 0u);
}

// --- events and acks ---

TEST_F(Server_, EventReachesNamespaceHandlerWithArguments) {
  std::string seen;
  server_->of("/test").on("hello", [&](Socket&, const Event& e, Ack ack) {
    seen = std::string(e.name) + " " + to_json(e.args) + (ack ? " ack" : " no-ack");
  });
  auto c = open();
  ASSERT_TRUE(connect(c, "/test"));
  receive(c, "2/test,[\"hello\",1,{\"a\":\"b\"}]");
  EXPECT_EQ(seen, "hello [1,{\"a\":\"b\"}] no-ack");
}

TEST_F(Server_, ClientRequestedAckIsAnsweredOnce) {
  server_->of("/test").on("echo", [&](Socket&, const Event& e, Ack ack) {
    ack(json_args_of(e.args));
    ack("\"second\"");  // ignored
  });
  auto c = open();
  ASSERT_TRUE(connect(c, "/test"));
  c->clear_sent();
  receive(c, "2/test,5[\"echo\",1,\"a\"]");
  EXPECT_EQ(c->texts(), (std::vector<std::string>{"43/test,5[1,\"a\"]"}));
}

TEST_F(Server_, AckCanBeCalledLaterFromAnotherThread) {
  Ack saved;
  server_->of("/").on("slow", [&](Socket&, const Event&, Ack ack) { saved = std::move(ack); });
  auto c = open();
  ASSERT_TRUE(connect(c, "/"));
  c->clear_sent();
  receive(c, "27[\"slow\"]");
  ASSERT_TRUE(saved);
  std::thread([&] { saved("\"done\""); }).join();
  drain();
  EXPECT_EQ(c->texts(), (std::vector<std::string>{"437[\"done\"]"}));
}

TEST_F(Server_, SocketHandlersComeBeforeNamespaceHandlersAndUnknownEventsAreIgnored) {
  std::vector<std::string> calls;
  server_->of("/").on("e", [&](Socket&, const Event&, Ack) { calls.push_back("namespace"); });
  auto c = open();
  auto socket = connect(c, "/");
  ASSERT_TRUE(socket);
  receive(c, "2[\"e\"]");
  socket->on("e", [&](Socket&, const Event&, Ack) { calls.push_back("socket"); });
  receive(c, "2[\"e\"]");
  receive(c, "2[\"unknown\",1]");
  EXPECT_EQ(calls, (std::vector<std::string>{"namespace", "socket"}));
  EXPECT_TRUE(socket->connected());
}

TEST_F(Server_, ServerRequestedAckGetsTheReply) {
  auto c = open();
  server_->of("/test");
  auto socket = connect(c, "/test");
  ASSERT_TRUE(socket);
  c->clear_sent();
  std::string reply;
  int calls = 0;
  socket->emit_with_ack("question", Payload{"1,\"x\"", {}}, 1000ms, [&](const AckReply& r) {
    ++calls;
    reply = r.timed_out ? "timeout" : to_json(*r.args);
  });
  drain();
  ASSERT_EQ(c->texts(), (std::vector<std::string>{"42/test,0[\"question\",1,\"x\"]"}));
  socket->emit_with_ack("second", Payload{}, 1000ms, [](const AckReply&) {});
  drain();
  EXPECT_EQ(c->texts().at(1), "42/test,1[\"second\"]");  // ids count up per socket
  receive(c, "3/test,0[\"answer\",2]");
  EXPECT_EQ(reply, "[\"answer\",2]");
  receive(c, "3/test,0[\"again\"]");  // a duplicate reply is ignored
  EXPECT_EQ(calls, 1);
}

TEST_F(Server_, ServerRequestedAckTimesOut) {
  auto c = open();
  server_->of("/");
  auto socket = connect(c, "/");
  ASSERT_TRUE(socket);
  int calls = 0;
  bool timed_out = false;
  socket->emit_with_ack("q", Payload{}, 20ms, [&](const AckReply& r) {
    ++calls;
    timed_out = r.timed_out;
    EXPECT_EQ(r.args, nullptr);
  });
  drain();
  EXPECT_EQ(calls, 0);
  run_for(100ms);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(timed_out);
  receive(c, "30[\"late\"]");  // too late: ignored
  EXPECT_EQ(calls, 1);
}

TEST_F(Server_, PendingServerAcksFailWhenTheSocketDisconnects) {
  auto c = open();
  server_->of("/");
  auto socket = connect(c, "/");
  ASSERT_TRUE(socket);
  int timeouts = 0;
  socket->emit_with_ack("q", Payload{}, 10s, [&](const AckReply& r) { timeouts += r.timed_out; });
  drain();
  receive(c, "1");
  EXPECT_EQ(timeouts, 1);
}

TEST_F(Server_, BinaryEventIsReassembledAndBinaryEmitSendsAttachments) {
  std::string seen;
  server_->of("/").on("upload", [&](Socket& s, const Event& e, Ack ack) {
    const std::string* file = resolve_placeholder(e.args[0]["file"], e.attachments);
    seen = file ? *file : "unresolved";
    ASSERT_TRUE(ack);
    ack(Payload{"{\"_placeholder\":true,\"num\":0}", {make_buffer("back")}});
    s.emit("file", Payload{"{\"_placeholder\":true,\"num\":0}", {make_buffer("\x01\x02")}});
  });
  auto c = open();
  ASSERT_TRUE(connect(c, "/"));
  c->clear_sent();
  receive(c, "51-3[\"upload\",{\"file\":{\"_placeholder\":true,\"num\":0}}]");
  EXPECT_TRUE(seen.empty());  // waits for the attachment
  receive_binary(c, std::string("\0bin", 4));
  EXPECT_EQ(seen, std::string("\0bin", 4));
  EXPECT_EQ(c->texts(),
            (std::vector<std::string>{"461-3[{\"_placeholder\":true,\"num\":0}]", "<binary>back",
                                      "451-[\"file\",{\"_placeholder\":true,\"num\":0}]",
                                      "<binary>\x01\x02"}));
}

TEST_F(Server_, ServerAckReplyMayCarryBinary) {
  auto c = open();
  server_->of("/");
  auto socket = connect(c, "/");
  ASSERT_TRUE(socket);
  std::string got;
  socket->emit_with_ack("q", Payload{}, 1s, [&](const AckReply& r) {
    got = *resolve_placeholder((*r.args)[0], r.attachments);
  });
  drain();
  receive(c, "61-0[{\"_placeholder\":true,\"num\":0}]");
  receive_binary(c, "blob");
  EXPECT_EQ(got, "blob");
}

// --- disconnecting ---

TEST_F(Server_, ClientDisconnectPacket) {
  std::string reason;
  server_->of("/test").on_disconnect([&](Socket& s, std::string_view r) {
    reason = std::string(r);
    EXPECT_FALSE(s.connected());
  });
  auto c = open();
  auto socket = connect(c, "/test");
  ASSERT_TRUE(socket);
  receive(c, "1/test,");
  EXPECT_EQ(reason, "client namespace disconnect");
  EXPECT_FALSE(socket->connected());
  EXPECT_TRUE(socket->rooms().empty());
  auto& adapter = static_cast<LocalAdapter&>(server_->of("/test").adapter());
  EXPECT_EQ(adapter.socket_count(0), 0u);
  // Events for the namespace after the disconnect are dropped; the connection stays.
  receive(c, "2/test,[\"x\"]");
  EXPECT_EQ(c->close_calls(), 0);
}

TEST_F(Server_, ServerSideDisconnect) {
  std::vector<std::string> reasons;
  server_->of("/");
  auto c = open();
  auto socket = connect(c, "/");
  ASSERT_TRUE(socket);
  socket->on_disconnect([&](Socket&, std::string_view r) { reasons.emplace_back(r); });
  c->clear_sent();
  boost::asio::post(io_, [socket] { socket->disconnect(); });
  drain();
  EXPECT_EQ(c->texts(), (std::vector<std::string>{"41"}));
  EXPECT_EQ(reasons, (std::vector<std::string>{"server namespace disconnect"}));
  EXPECT_EQ(c->close_calls(), 0);
  // Emitting on a disconnected socket sends nothing.
  socket->emit("late", "1");
  drain();
  EXPECT_EQ(c->texts().size(), 1u);
}

TEST_F(Server_, DisconnectWithCloseDisconnectsEveryNamespaceThenClosesTheConnection) {
  std::vector<std::string> reasons;
  auto record = [&](Socket& s, std::string_view r) {
    reasons.push_back(s.nsp().name() + ":" + std::string(r));
  };
  server_->of("/").on_disconnect(record);
  server_->of("/test").on_disconnect(record);
  auto c = open();
  auto main = connect(c, "/");
  auto test = connect(c, "/test");
  ASSERT_TRUE(main && test);
  c->clear_sent();
  boost::asio::post(io_, [test] { test->disconnect(true); });
  drain();
  EXPECT_EQ(c->texts(), (std::vector<std::string>{"41", "41/test,"}));
  EXPECT_EQ(c->close_calls(), 1);
  EXPECT_EQ(reasons, (std::vector<std::string>{"/:server namespace disconnect",
                                               "/test:server namespace disconnect"}));
}

TEST_F(Server_, EngineIoCloseDisconnectsAllSocketsWithItsReason) {
  std::vector<std::string> reasons;
  auto record = [&](Socket& s, std::string_view r) {
    reasons.push_back(s.nsp().name() + ":" + std::string(r));
  };
  server_->of("/").on_disconnect(record);
  server_->of("/test").on_disconnect(record);
  auto c = open();
  ASSERT_TRUE(connect(c, "/"));
  ASSERT_TRUE(connect(c, "/test"));
  boost::asio::post(io_, [c] { c->report_close("ping timeout"); });
  drain();
  std::sort(reasons.begin(), reasons.end());
  EXPECT_EQ(reasons, (std::vector<std::string>{"/:ping timeout", "/test:ping timeout"}));
  EXPECT_EQ(static_cast<LocalAdapter&>(server_->of("/").adapter()).socket_count(0), 0u);
}

TEST_F(Server_, ClientThatJoinsNoNamespaceInTimeIsClosed) {
  ServerOptions options;
  options.connect_timeout = 20ms;
  make_server(options);
  server_->of("/");
  auto idle = open();
  auto active = open();
  receive(active, "0");
  auto refused_only = open();
  receive(refused_only, "0/unknown,");
  run_for(100ms);
  EXPECT_EQ(idle->close_calls(), 1);
  EXPECT_EQ(refused_only->close_calls(), 1);
  EXPECT_EQ(active->close_calls(), 0);
}

// --- multiplexing and protocol errors ---

TEST_F(Server_, SeveralNamespacesOverOneConnection) {
  std::vector<std::string> seen;
  server_->of("/").on("e", [&](Socket& s, const Event&, Ack) { seen.push_back(s.nsp().name()); });
  server_->of("/test").on("e",
                          [&](Socket& s, const Event&, Ack) { seen.push_back(s.nsp().name()); });
  auto c = open();
  auto a = connect(c, "/");
  auto b = connect(c, "/test");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->id(), b->id());
  receive(c, "2/test,[\"e\"]");
  receive(c, "2[\"e\"]");
  EXPECT_EQ(seen, (std::vector<std::string>{"/test", "/"}));
}

TEST_F(Server_, MalformedPacketClosesTheConnection) {
  server_->of("/");
  auto c = open();
  ASSERT_TRUE(connect(c, "/"));
  receive(c, "2[\"unterminated\"");
  EXPECT_EQ(c->close_calls(), 1);
}

TEST_F(Server_, MalformedEventGoesToTheNamespacesHandlerAndTheConnectionStays) {
  std::vector<std::string> reports;
  Namespace& ns = server_->of("/test");
  ns.on_malformed([&](Socket& s, const Error& error, Ack ack) {
    reports.push_back(s.nsp().name() + " " + error.code + (ack ? " ack" : " no-ack"));
    if (ack) ack("\"refused\"");
  });
  int events = 0;
  ns.on("e", [&](Socket&, const Event&, Ack) { ++events; });
  auto c = open();
  ASSERT_TRUE(connect(c, "/test"));
  c->clear_sent();
  receive(c, "2/test,5[\"e\",{bad");
  receive(c, "2/test,[\"e\",{bad");
  receive(c, "2/test,{\"not\":\"an array\"}");
  EXPECT_EQ(reports,
            (std::vector<std::string>{"/test INVALID_JSON ack", "/test INVALID_JSON no-ack",
                                      "/test PARSE_ERROR no-ack"}));
  EXPECT_EQ(c->texts(), (std::vector<std::string>{"43/test,5[\"refused\"]"}));
  EXPECT_EQ(c->close_calls(), 0);
  receive(c, "2/test,[\"e\"]");
  EXPECT_EQ(events, 1) << "the socket still works";
}

TEST_F(Server_, MalformedPacketsTheHandlerCannotTakeStillCloseTheConnection) {
  int reports = 0;
  server_->of("/test").on_malformed([&](Socket&, const Error&, Ack) { ++reports; });
  server_->of("/");
  const std::vector<std::string> cases = {
      "2[\"e\",{bad",          // a namespace without a handler (as Node: close)
      "2/other,[\"e\",{bad",   // a namespace this client is not connected to
      "51-/test,[\"e\",{bad",  // binary: its attachments would follow without a header
      "3/test,1[{bad",         // an ACK is protocol state, not application input
      "2/te\"st,[\"e\"]",      // the header itself is malformed
  };
  for (const auto& text : cases) {
    auto c = open();
    ASSERT_TRUE(connect(c, "/test"));
    ASSERT_TRUE(connect(c, "/"));
    receive(c, text);
    EXPECT_EQ(c->close_calls(), 1) << text;
  }
  EXPECT_EQ(reports, 0);
}

TEST_F(Server_, BinaryWithoutHeaderClosesTheConnection) {
  server_->of("/");
  auto c = open();
  ASSERT_TRUE(connect(c, "/"));
  receive_binary(c, "stray");
  EXPECT_EQ(c->close_calls(), 1);
}

TEST_F(Server_, DuplicateConnectClosesTheConnection) {
  server_->of("/");
  auto c = open();
  ASSERT_TRUE(connect(c, "/"));
  receive(c, "0");
  EXPECT_EQ(c->close_calls(), 1);
}

TEST_F(Server_, EventsForAnUnconnectedNamespaceAreDropped) {
  bool called = false;
  server_->of("/test").on("e", [&](Socket&, const Event&, Ack) { called = true; });
  auto c = open();
  receive(c, "2/test,[\"e\"]");
  EXPECT_FALSE(called);
  EXPECT_EQ(c->close_calls(), 0);
}

TEST_F(Server_, EmitFromAnotherThreadIsPostedToTheSocketsThread) {
  server_->of("/");
  auto c = open();
  auto socket = connect(c, "/");
  ASSERT_TRUE(socket);
  c->clear_sent();
  std::thread([&] {
    for (int i = 0; i < 3; ++i) socket->emit("n", std::to_string(i));
  }).join();
  EXPECT_TRUE(c->texts().empty());  // nothing sent off the socket's thread
  drain();
  EXPECT_EQ(c->texts(), (std::vector<std::string>{"42[\"n\",0]", "42[\"n\",1]", "42[\"n\",2]"}));
}

TEST_F(Server_, ThrowingHandlersAreContained) {
  int calls = 0;
  server_->of("/").on("boom", [&](Socket&, const Event&, Ack) {
    ++calls;
    throw std::runtime_error("handler bug");
  });
  server_->of("/bad").use([](Socket&, Next) { throw std::runtime_error("middleware bug"); });
  auto c = open();
  ASSERT_TRUE(connect(c, "/"));
  receive(c, "2[\"boom\"]");
  receive(c, "2[\"boom\"]");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(c->close_calls(), 0);
  c->clear_sent();
  receive(c, "0/bad,");
  EXPECT_EQ(c->texts(), (std::vector<std::string>{"44/bad,{\"message\":\"server error\"}"}));
}

}  // namespace
}  // namespace cz::socketio::testing
