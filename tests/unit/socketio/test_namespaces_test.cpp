// The test namespaces the end-to-end suite relies on, checked at the packet level.
#include "test_namespaces.hpp"

#include "server_fixture.hpp"

namespace cz::socketio::testing {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

class TestNamespaces : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    install_test_namespaces(*server_);
  }
  std::string sid(const std::shared_ptr<FakeConnection>& c, std::size_t index = 0) {
    const std::string reply = c->texts().at(index);
    auto start = reply.find("\"sid\":\"") + 7;
    return reply.substr(start, reply.find('"', start) - start);
  }
};

TEST_F(TestNamespaces, WelcomeCarriesIdNamespaceQueryAndAuth) {
  engineio::HandshakeInfo info;
  info.query = {{"EIO", "4"}, {"foo", "bar"}};
  auto c = open(info);
  receive(c, "0/test2,{\"token\":\"t\"}");
  ASSERT_EQ(c->texts().size(), 2u);
  EXPECT_EQ(c->texts()[1], "42/test2,[\"welcome\",{\"id\":\"" + sid(c) +
                               "\",\"nsp\":\"/test2\",\"query\":{\"EIO\":\"4\",\"foo\":\"bar\"},"
                               "\"auth\":{\"token\":\"t\"}}]");
  auto d = open();
  receive(d, "0");
  EXPECT_EQ(d->texts().at(1),
            "42[\"welcome\",{\"id\":\"" + sid(d) + "\",\"nsp\":\"/\",\"query\":{},\"auth\":null}]");
}

TEST_F(TestNamespaces, RefusesOnAuthOrQuery) {
  auto a = open();
  receive(a, "0/test,{\"refuse\":\"nope\"}");
  EXPECT_EQ(a->texts(),
            Strings{"44/test,{\"message\":\"refused\",\"data\":{\"reason\":\"nope\"}}"});
  auto b = open();
  receive(b, "0{\"refuse\":true}");
  EXPECT_EQ(b->texts(), Strings{"44{\"message\":\"refused\",\"data\":{\"reason\":true}}"});
  engineio::HandshakeInfo info;
  info.query = {{"refuse", "by query"}};
  auto c = open(info);
  receive(c, "0/test2,");
  EXPECT_EQ(c->texts(),
            Strings{"44/test2,{\"message\":\"refused\",\"data\":{\"reason\":\"by query\"}}"});
  auto d = open();
  receive(d, "0{\"refuse\":false}");  // falsy: accepted
  EXPECT_EQ(d->texts().at(0).rfind("40{", 0), 0u);
}

TEST_F(TestNamespaces, EchoWithAndWithoutAckKeepsBinary) {
  auto c = open();
  receive(c, "0/test,");
  c->clear_sent();
  receive(c, "2/test,[\"echo\",1,{\"a\":[true]}]");
  receive(c, "2/test,4[\"echo\",\"x\"]");
  receive(c, "51-/test,9[\"echo\",{\"_placeholder\":true,\"num\":0}]");
  receive_binary(c, "BIN");
  EXPECT_EQ(c->texts(), (Strings{"42/test,[\"echo\",1,{\"a\":[true]}]", "43/test,4[\"x\"]",
                                 "461-/test,9[{\"_placeholder\":true,\"num\":0}]", "<binary>BIN"}));
}

TEST_F(TestNamespaces, JoinBroadcastLeave) {
  auto a = open();
  auto b = open();
  receive(a, "0/test,");
  receive(b, "0/test,");
  receive(a, "2/test,1[\"join\",\"room1\"]");
  receive(b, "2/test,1[\"join\",\"room1\"]");
  a->clear_sent();
  b->clear_sent();
  receive(a, "2/test,2[\"broadcast\",{\"room\":\"room1\",\"event\":\"hi\",\"args\":[1,\"x\"]}]");
  EXPECT_EQ(a->texts(), Strings{"43/test,2[\"ok\"]"});  // the sender is excluded
  EXPECT_EQ(b->texts(), Strings{"42/test,[\"hi\",1,\"x\"]"});

  a->clear_sent();
  b->clear_sent();
  receive(a, "2/test,[\"broadcast\",{\"event\":\"all\",\"args\":[],\"include_self\":true}]");
  EXPECT_EQ(a->texts(), Strings{"42/test,[\"all\"]"});
  EXPECT_EQ(b->texts(), Strings{"42/test,[\"all\"]"});

  b->clear_sent();
  receive(b, "2/test,3[\"leave\",\"room1\"]");
  EXPECT_EQ(b->texts(), Strings{"43/test,3[\"ok\"]"});
  b->clear_sent();
  receive(a, "2/test,[\"broadcast\",{\"room\":\"room1\",\"event\":\"hi\",\"args\":[]}]");
  EXPECT_TRUE(b->texts().empty());
}

TEST_F(TestNamespaces, AskReportsTheReplyOrTheTimeout) {
  auto c = open();
  receive(c, "0");
  c->clear_sent();
  receive(c, "2[\"ask\",{\"event\":\"question\",\"args\":[1],\"timeout_ms\":1000}]");
  EXPECT_EQ(c->texts(), Strings{"420[\"question\",1]"});
  receive(c, "30[\"answer\",{\"k\":2}]");
  EXPECT_EQ(c->texts().at(1),
            "42[\"ask_result\",{\"timed_out\":false,\"reply\":[\"answer\",{\"k\":2}]}]");

  c->clear_sent();
  receive(c, "2[\"ask\",{\"event\":\"question\",\"args\":[],\"timeout_ms\":20}]");
  EXPECT_EQ(c->texts(), Strings{"421[\"question\"]"});
  run_for(100ms);
  EXPECT_EQ(c->texts().at(1), "42[\"ask_result\",{\"timed_out\":true,\"reply\":[]}]");
}

TEST_F(TestNamespaces, DisconnectMeAndCloseMe) {
  auto c = open();
  receive(c, "0/test,");
  receive(c, "0/test2,");
  c->clear_sent();
  receive(c, "2/test,[\"disconnect_me\"]");
  EXPECT_EQ(c->texts(), Strings{"41/test,"});
  EXPECT_EQ(c->close_calls(), 0);
  receive(c, "2/test2,[\"close_me\"]");
  EXPECT_EQ(c->texts(), (Strings{"41/test,", "41/test2,"}));
  EXPECT_EQ(c->close_calls(), 1);
}

}  // namespace
}  // namespace cz::socketio::testing
