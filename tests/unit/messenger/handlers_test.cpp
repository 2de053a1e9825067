#include "messenger_fixture.hpp"

namespace cz::messenger::testing {
namespace {

using Handlers = MessengerFixture;

std::string text_of(const rapidjson::Value& v, const char* field) {
  return v.HasMember(field) && v[field].IsString() ? v[field].GetString() : "<none>";
}

std::string message_json(const std::string& from, const std::string& to, const std::string& content,
                         const std::string& client_id = "") {
  const std::string room = from < to ? from + "." + to : to + "." + from;  // tests name b* < s*
  std::string json = R"({"room_id":")" + room + R"(","from":")" + from + R"(","to":")" + to +
                     R"(","type":"TEXT","content":")" + content + "\"";
  if (!client_id.empty()) json += R"(,"client_message_id":")" + client_id + "\"";
  return json + "}";
}

// --- handshake ---

TEST_F(Handlers, HandshakeAcceptsAVerifiedUserFromAuthOrQuery) {
  auto c = login("b1");
  EXPECT_EQ(c->texts().size(), 1u);
}

TEST_F(Handlers, HandshakeRefusals) {
  struct Case {
    std::string auth;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {R"({"user_id":"b1","user_role":"BUYER"})", "token missing"},
      {R"({"token":")" + mint("b1") + R"(","user_role":"BUYER"})", "user_id missing"},
      {R"({"token":")" + mint("b1") + R"(","user_id":"b1","user_role":"ADMIN"})",
       "user_role must be BUYER or SELLER"},
      {R"({"token":")" + mint("b1") + R"(","user_id":"b2","user_role":"BUYER"})",
       "subject mismatch"},
      {R"({"token":")" + mint("b1", "SELLER") + R"(","user_id":"b1","user_role":"BUYER"})",
       "role mismatch"},
      {R"({"token":")" + mint("b1", "", -3600) + R"(","user_id":"b1","user_role":"BUYER"})",
       "token expired"},
      {R"({"token":")" + mint("b1", "", 3600, "wrong") + R"(","user_id":"b1","user_role":"BUYER"})",
       "bad signature"},
      {R"({"token":"not.a.jwt","user_id":"b1","user_role":"BUYER"})", "malformed token"},
  };
  for (const auto& c : cases) {
    auto conn = connect_with(c.auth);
    ASSERT_FALSE(conn->texts().empty());
    EXPECT_EQ(conn->texts()[0],
              R"(44/messenger,{"message":"unauthorized","data":{"reason":")" + c.reason + "\"}}")
        << c.auth;
  }
}

// --- create_room ---

TEST_F(Handlers, CreateRoomNotifiesBothUsersAndIsIdempotent) {
  auto buyer = login("b1");
  auto seller = login("s1", "SELLER");
  auto r = call(buyer, "create_room", R"({"type":"BS","buyer":"b1","seller":"s1","shop_id":"7"})");
  ASSERT_EQ(error_code(*r), "OK");
  EXPECT_TRUE((*r)["status"].GetBool());
  EXPECT_EQ(text_of(*r, "outcome"), "created");
  EXPECT_EQ(text_of((*r)["room"], "_id"), "b1.s1");
  EXPECT_EQ(text_of((*r)["room"], "creator"), "b1");
  ASSERT_TRUE(run_until([&] { return events(seller, "create_room").size() == 1; }));
  EXPECT_EQ(text_of((*events(seller, "create_room")[0])[0], "_id"), "b1.s1");
  EXPECT_EQ(events(buyer, "create_room").size(), 1u);

  auto again = call(seller, "create_room", R"({"buyer":"b1","seller":"s1"})");
  EXPECT_EQ(text_of(*again, "outcome"), "existed");
}

TEST_F(Handlers, CreateRoomRefusals) {
  auto buyer = login("b1");
  EXPECT_EQ(error_code(*call(buyer, "create_room", R"({"buyer":"b1","seller":"b1"})")),
            "VALIDATION_ERROR");
  EXPECT_EQ(error_code(*call(buyer, "create_room", R"({"buyer":"x","seller":"y"})")), "FORBIDDEN");
  EXPECT_EQ(
      error_code(*call(buyer, "create_room", R"({"buyer":"b1","seller":"s1","creator":"s1"})")),
      "FORBIDDEN");
  EXPECT_EQ(error_code(*call(buyer, "create_room", R"({"seller":"s1"})")), "VALIDATION_ERROR");
  EXPECT_EQ(error_code(*call(buyer, "create_room", R"("b1.s1")")), "VALIDATION_ERROR");
}

// A room details source standing in for the marketplace's services (the HTTP one is tested in
// rest_lookup_test): answers asynchronously, like a service, and counts its calls.
class HandlersWithRoomDetails : public MessengerFixture {
 protected:
  void configure(Options& options) override {
    options.room_details = [this](std::shared_ptr<store::CreateRoom> room,
                                  boost::asio::any_io_executor executor,
                                  std::function<void()> done) {
      ++lookups_;
      boost::asio::post(executor, [room, done = std::move(done)] {
        room->shop_json = R"({"name":"Shop )" + room->shop_id + "\"}";
        room->buyer_info_json = R"({"name":"Buyer )" + room->buyer + "\"}";
        done();
      });
    };
  }
  int lookups_ = 0;
};

TEST_F(HandlersWithRoomDetails, CreateRoomStoresTheLookedUpDetails) {
  auto buyer = login("b1");
  auto seller = login("s1", "SELLER");
  auto r = call(buyer, "create_room", R"({"type":"BS","buyer":"b1","seller":"s1","shop_id":"7"})");
  ASSERT_EQ(error_code(*r), "OK");
  EXPECT_EQ(lookups_, 1);
  EXPECT_EQ(text_of((*r)["room"]["shop"], "name"), "Shop 7");
  ASSERT_TRUE(run_until([&] { return events(seller, "create_room").size() == 1; }));
  EXPECT_EQ(text_of((*events(seller, "create_room")[0])[0]["buyer_info"], "name"), "Buyer b1");
}

// --- new_message ---

TEST_F(Handlers, NewMessageIsStoredThenDeliveredToEveryTabOfBothUsers) {
  auto buyer = login("b1");
  auto buyer_tab2 = login("b1");
  auto seller = login("s1", "SELLER");
  auto stranger = login("x1");
  create_room(buyer, "b1", "s1");

  auto r = call(buyer, "new_message", message_json("b1", "s1", "hello", "c-1"));
  ASSERT_EQ(error_code(*r), "OK") << text_of((*r)["error"], "message");
  const std::string id = text_of(*r, "_id");
  EXPECT_EQ(id.size(), 26u);
  EXPECT_EQ(text_of(*r, "content"), "hello");
  EXPECT_EQ(text_of(*r, "client_message_id"), "c-1");
  EXPECT_EQ(text_of(*r, "type"), "TEXT");
  EXPECT_FALSE((*r)["is_seen"].GetBool());

  for (const auto& c : {buyer, buyer_tab2, seller}) {
    ASSERT_TRUE(run_until([&] { return events(c, "new_message").size() == 1; }));
    EXPECT_EQ(text_of((*events(c, "new_message")[0])[0], "_id"), id);
  }
  settle();
  EXPECT_TRUE(events(stranger, "new_message").empty());

  // Stored: the seller's catch-up finds it.
  auto sync = call(seller, "sync", "{}");
  ASSERT_EQ((*sync)["messages"].Size(), 1u);
  EXPECT_EQ(text_of((*sync)["messages"][0], "_id"), id);
}

TEST_F(Handlers, RetryWithTheSameClientMessageIdIsNotDeliveredTwice) {
  auto buyer = login("b1");
  auto seller = login("s1", "SELLER");
  create_room(buyer, "b1", "s1");
  auto first = call(buyer, "new_message", message_json("b1", "s1", "once", "retry-1"));
  auto second = call(buyer, "new_message", message_json("b1", "s1", "once", "retry-1"));
  EXPECT_EQ(text_of(*first, "_id"), text_of(*second, "_id"));
  settle();
  EXPECT_EQ(events(seller, "new_message").size(), 1u);
  EXPECT_EQ((*call(seller, "sync", "{}"))["messages"].Size(), 1u);
}

TEST_F(Handlers, NewMessageRefusalsStoreNothing) {
  auto buyer = login("b1");
  auto seller = login("s1", "SELLER");
  auto other = login("x1");
  create_room(buyer, "b1", "s1");

  EXPECT_EQ(error_code(*call(buyer, "new_message", message_json("s1", "b1", "forged"))),
            "FORBIDDEN");
  EXPECT_EQ(
      error_code(*call(other, "new_message",
                       R"({"room_id":"b1.s1","from":"x1","to":"s1","type":"TEXT","content":"x"})")),
      "FORBIDDEN");
  EXPECT_EQ(
      error_code(*call(buyer, "new_message",
                       R"({"room_id":"b1.s1","from":"b1","to":"x1","type":"TEXT","content":"x"})")),
      "FORBIDDEN");
  EXPECT_EQ(
      error_code(*call(buyer, "new_message",
                       R"({"room_id":"b1.zz","from":"b1","to":"zz","type":"TEXT","content":"x"})")),
      "ROOM_NOT_FOUND");
  EXPECT_EQ(error_code(
                *call(buyer, "new_message",
                      R"({"room_id":"b1.s1","from":"b1","to":"s1","type":"VIDEO","content":"x"})")),
            "UNKNOWN_MESSAGE_TYPE");
  EXPECT_EQ(error_code(*call(buyer, "new_message", message_json("b1", "s1", std::string(65, 'x')))),
            "CONTENT_TOO_LARGE");
  EXPECT_EQ(error_code(*call(buyer, "new_message", R"({"room_id":"b1.s1"})")), "VALIDATION_ERROR");
  EXPECT_EQ(error_code(*call(buyer, "new_message", R"(42)")), "VALIDATION_ERROR");
  EXPECT_EQ(error_code(*call(buyer, "new_message", "")), "VALIDATION_ERROR");
  settle();
  EXPECT_TRUE(events(seller, "new_message").empty());
  EXPECT_EQ((*call(seller, "sync", "{}"))["messages"].Size(), 0u);
  EXPECT_EQ(buyer->close_calls(), 0) << "the connection stays up";
}

TEST_F(Handlers, RefusalWithoutAckComesAsAnErrorEvent) {
  auto buyer = login("b1");
  emit(buyer, "new_message", message_json("s1", "b1", "forged"));
  ASSERT_TRUE(run_until([&] { return events(buyer, "error").size() == 1; }));
  const auto errors = events(buyer, "error");
  const auto& e = (*errors[0])[0];
  EXPECT_EQ(text_of(e, "event"), "new_message");
  EXPECT_EQ(text_of(e, "code"), "FORBIDDEN");
  EXPECT_EQ(text_of(e, "message"), "from must be the authenticated user");
}

TEST_F(Handlers, MessagesOfOneSenderKeepTheirOrder) {
  auto buyer = login("b1");
  auto seller = login("s1", "SELLER");
  create_room(buyer, "b1", "s1");
  // Sent back to back before the room is cached: they queue behind one lookup.
  for (int i = 0; i < 50; ++i)
    emit(buyer, "new_message", message_json("b1", "s1", std::to_string(i)));
  ASSERT_TRUE(run_until([&] { return events(seller, "new_message").size() == 50; }));
  auto got = events(seller, "new_message");
  for (int i = 0; i < 50; ++i) EXPECT_EQ(text_of((*got[i])[0], "content"), std::to_string(i));
}

// --- typing ---

TEST_F(Handlers, TypingIsForwardedToTheOtherUserOnly) {
  auto buyer = login("b1");
  auto seller = login("s1", "SELLER");
  create_room(buyer, "b1", "s1");
  auto r = call(buyer, "typing", R"({"room_id":"b1.s1","from":"b1","to":"s1"})");
  EXPECT_EQ(error_code(*r), "OK");
  emit(buyer, "stop_typing", R"({"room_id":"b1.s1","from":"b1","to":"s1"})");
  ASSERT_TRUE(run_until([&] { return events(seller, "stop_typing").size() == 1; }));
  ASSERT_EQ(events(seller, "typing").size(), 1u);
  EXPECT_EQ(text_of((*events(seller, "typing")[0])[0], "from"), "b1");
  EXPECT_TRUE(events(buyer, "typing").empty());
  EXPECT_EQ(error_code(*call(buyer, "typing", R"({"room_id":"b1.s1","from":"s1","to":"b1"})")),
            "FORBIDDEN");
}

// --- seen_messages ---

TEST_F(Handlers, SeenMessagesMarksOnlyTheReadersMessagesAndTellsTheSender) {
  auto buyer = login("b1");
  auto seller = login("s1", "SELLER");
  create_room(buyer, "b1", "s1");
  const std::string m1 =
      text_of(*call(buyer, "new_message", message_json("b1", "s1", "one")), "_id");
  const std::string own =
      text_of(*call(seller, "new_message", message_json("s1", "b1", "mine")), "_id");

  auto r = call(seller, "seen_messages",
                R"({"room_id":"b1.s1","from":"s1","to":"b1","message_ids":[")" + m1 + R"(",")" +
                    own + R"("]})");
  ASSERT_EQ(error_code(*r), "OK");
  ASSERT_EQ((*r)["message_ids"].Size(), 1u) << "the seller's own message is not theirs to mark";
  EXPECT_EQ(std::string((*r)["message_ids"][0].GetString()), m1);
  ASSERT_TRUE(run_until([&] { return events(buyer, "seen_messages").size() == 1; }));
  const auto forwarded = events(buyer, "seen_messages");
  const auto& fwd = (*forwarded[0])[0];
  EXPECT_EQ(text_of(fwd, "from"), "s1");
  EXPECT_EQ(std::string(fwd["message_ids"][0].GetString()), m1);

  settle();
  EXPECT_EQ(events(seller, "seen_messages").size(), 0u) << "the reading tab has the ack";

  std::string many = R"({"room_id":"b1.s1","from":"s1","to":"b1","message_ids":[)";
  for (int i = 0; i < 101; ++i) many += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
  EXPECT_EQ(error_code(*call(seller, "seen_messages", many + "]}")), "TOO_MANY_IDS");
}

TEST_F(Handlers, SeenMessagesReachesTheReadersOtherTabs) {
  auto buyer = login("b1");
  auto seller = login("s1", "SELLER");
  auto seller_tab2 = login("s1", "SELLER");
  auto stranger = login("x1");
  create_room(buyer, "b1", "s1");
  const std::string m1 =
      text_of(*call(buyer, "new_message", message_json("b1", "s1", "one")), "_id");
  auto r = call(seller, "seen_messages", R"({"room_id":"b1.s1","from":"s1","to":"b1"})");
  ASSERT_EQ(error_code(*r), "OK");
  for (const auto& c : {buyer, seller_tab2}) {
    ASSERT_TRUE(run_until([&] { return events(c, "seen_messages").size() == 1; }));
    const auto got = events(c, "seen_messages");
    const auto& fwd = (*got[0])[0];
    EXPECT_EQ(text_of(fwd, "from"), "s1");
    EXPECT_EQ(text_of(fwd, "room_id"), "b1.s1");
    EXPECT_EQ(std::string(fwd["message_ids"][0].GetString()), m1);
  }
  settle();
  EXPECT_EQ(events(seller, "seen_messages").size(), 0u);
  EXPECT_EQ(events(stranger, "seen_messages").size(), 0u);
}

// --- sync ---

TEST_F(Handlers, SyncPagesThroughWhatWasMissed) {
  auto buyer = login("b1");
  auto seller = login("s1", "SELLER");
  create_room(buyer, "b1", "s1");
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(
        text_of(*call(buyer, "new_message", message_json("b1", "s1", std::to_string(i))), "_id"));

  auto page1 = call(seller, "sync", R"({"since":")" + ids[0] + R"(","limit":3})");
  ASSERT_EQ((*page1)["messages"].Size(), 3u);
  EXPECT_EQ(text_of((*page1)["messages"][0], "_id"), ids[1]);
  EXPECT_TRUE((*page1)["has_more"].GetBool());
  auto page2 =
      call(seller, "sync", R"({"since":")" + text_of(*page1, "next_since") + R"(","limit":3})");
  ASSERT_EQ((*page2)["messages"].Size(), 1u);
  EXPECT_EQ(text_of((*page2)["messages"][0], "_id"), ids[4]);
  EXPECT_FALSE((*page2)["has_more"].GetBool());
  EXPECT_EQ(error_code(*call(seller, "sync", R"({"since":"last tuesday"})")), "VALIDATION_ERROR");
}

// --- verify_user ---

TEST_F(Handlers, VerifyUserAcceptsAFreshTokenAndDisconnectsOnFailure) {
  auto buyer = login("b1");
  auto ok = call(buyer, "verify_user",
                 R"({"token":")" + mint("b1") + R"(","user_id":"b1","user_role":"BUYER"})");
  EXPECT_TRUE((*ok)["status"].GetBool());
  EXPECT_EQ(events(buyer, "verify_user").size(), 1u);

  auto bad = call(buyer, "verify_user",
                  R"({"token":")" + mint("b2") + R"(","user_id":"b2","user_role":"BUYER"})");
  EXPECT_FALSE((*bad)["status"].GetBool());
  EXPECT_EQ(text_of(*bad, "reason"), "a connection cannot change its user");
  EXPECT_EQ(buyer->texts().back(), "41/messenger,");
}

// --- token expiry ---

// Accepted at the handshake thanks to the 30 s leeway, with 1-2 s left (exp is in whole
// seconds). With less, a loaded machine could finish the handshake after the deadline, and the
// connect is then refused instead of the session ending (CI saw it under the sanitizers). Enough
// too for tests that must act (verify_user) before it expires.
std::string expiring_token(const std::string& user) {
  return mint(user, "", -28);
}

TEST_F(Handlers, ASessionEndsWhenItsTokenExpires) {
  auto buyer = login("b1", "BUYER", expiring_token("b1"));
  ASSERT_TRUE(run_until([&] { return buyer->texts().back() == "41/messenger,"; },
                        std::chrono::seconds(10)));
  const auto verdicts = events(buyer, "verify_user");
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE((*verdicts[0])[0]["status"].GetBool());
  EXPECT_EQ(text_of((*verdicts[0])[0], "reason"), "token expired");
}

TEST_F(Handlers, SessionsOnOneShardEndEachAtItsOwnDeadline) {
  // One queue and one timer per shard: the earliest deadline first, the later ones after, and a
  // socket that left before its deadline leaves the queue with nothing to do. exp has a one-second
  // grain, so "soon" has 1-2 s left and "later" 4-5 s: at least 2 s apart, and enough left for the
  // handshakes to finish first on a loaded machine under the sanitizers (with 0-1 s left, CI once
  // saw the connect itself refused as expired).
  auto soon = login("b1", "BUYER", mint("b1", "", -28));
  auto later = login("b2", "BUYER", mint("b2", "", -25));
  auto gone = login("b3", "BUYER", mint("b3", "", -28));
  auto fresh = login("b4", "BUYER", mint("b4"));
  boost::asio::post(io_, [gone] { gone->report_close("transport close"); });
  ASSERT_TRUE(
      run_until([&] { return soon->texts().back() == "41/messenger,"; }, std::chrono::seconds(10)));
  EXPECT_NE(later->texts().back(), "41/messenger,") << "its deadline has not come yet";
  ASSERT_TRUE(run_until([&] { return later->texts().back() == "41/messenger,"; },
                        std::chrono::seconds(10)));
  EXPECT_EQ(events(later, "verify_user").size(), 1u);
  EXPECT_EQ(error_code(*call(fresh, "sync", "{}")), "OK") << "a token an hour away stays";
}

TEST_F(Handlers, VerifyUserWithAFreshTokenExtendsTheSession) {
  auto buyer = login("b1", "BUYER", expiring_token("b1"));
  auto ok = call(buyer, "verify_user",
                 R"({"token":")" + mint("b1") + R"(","user_id":"b1","user_role":"BUYER"})");
  EXPECT_TRUE((*ok)["status"].GetBool());
  settle(std::chrono::milliseconds(2500));  // past the first token's deadline
  EXPECT_NE(buyer->texts().back(), "41/messenger,");
  EXPECT_EQ(events(buyer, "verify_user").size(), 1u) << "only the reply to verify_user";
  EXPECT_EQ(error_code(*call(buyer, "sync", "{}")), "OK");
}

TEST_F(Handlers, ATokenWithoutExpiryNeverEndsTheSession) {
  // Re-verified with a token that has no exp: the deadline of the first token no longer holds.
  auto buyer = login("b1", "BUYER", expiring_token("b1"));
  const std::string input = base64::url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                            base64::url_encode(R"({"sub":"b1"})");
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  const std::string forever =
      input + "." + base64::url_encode(std::string(reinterpret_cast<char*>(mac), len));
  auto ok = call(buyer, "verify_user",
                 R"({"token":")" + forever + R"(","user_id":"b1","user_role":"BUYER"})");
  EXPECT_TRUE((*ok)["status"].GetBool());
  settle(std::chrono::milliseconds(2500));  // past the first token's deadline
  EXPECT_NE(buyer->texts().back(), "41/messenger,");
}

// --- malformed packets ---

TEST_F(Handlers, MalformedJsonIsRefusedAndTheConnectionStaysUp) {
  auto buyer = login("b1");
  auto seller = login("s1", "SELLER");
  create_room(buyer, "b1", "s1");
  send(buyer, "2/messenger,77[\"new_message\",{bad");
  auto with_ack = ack(buyer, 77);
  ASSERT_TRUE(with_ack);
  EXPECT_EQ(error_code(*with_ack), "INVALID_JSON");
  EXPECT_EQ(text_of((*with_ack)["error"], "message").rfind("malformed packet: invalid JSON", 0),
            0u);

  send(buyer, R"(2/messenger,["new_message",{"room_id":"b1.s1",)");
  send(buyer, R"(2/messenger,{"not":"an event"})");
  const auto errors = events(buyer, "error");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(text_of((*errors[0])[0], "code"), "INVALID_JSON");
  EXPECT_FALSE((*errors[0])[0].HasMember("event")) << "the event name is not known";
  EXPECT_EQ(text_of((*errors[1])[0], "code"), "VALIDATION_ERROR");

  EXPECT_EQ(buyer->close_calls(), 0);
  EXPECT_EQ(error_code(*call(buyer, "new_message", message_json("b1", "s1", "after"))), "OK");
  auto sync = call(seller, "sync", "{}");
  ASSERT_EQ((*sync)["messages"].Size(), 1u) << "nothing stored from the malformed packets";
  EXPECT_EQ(text_of((*sync)["messages"][0], "content"), "after");
}

TEST_F(Handlers, ContentWithNulOrBrokenUtf16EscapesIsRefused) {
  auto buyer = login("b1");
  auto seller = login("s1", "SELLER");
  create_room(buyer, "b1", "s1");
  // Valid JSON escapes that would give text one store keeps and the other refuses.
  for (const std::string content : {R"(a\u0000b)", R"(x\udc00y)"}) {
    auto r = call(buyer, "new_message", message_json("b1", "s1", content));
    EXPECT_NE(error_code(*r), "OK") << content;
    EXPECT_TRUE(error_code(*r) == "VALIDATION_ERROR" || error_code(*r) == "INVALID_JSON")
        << content << ": " << error_code(*r);
  }
  EXPECT_EQ(error_code(*call(buyer, "new_message", message_json("b1", "s1", R"(a\u0000b)"))),
            "VALIDATION_ERROR");
  settle();
  EXPECT_EQ((*call(seller, "sync", "{}"))["messages"].Size(), 0u);
}

// --- presence ---

TEST_F(Handlers, PartnersLearnWhenTheFirstTabArrivesAndTheLastLeaves) {
  auto buyer = login("b1");
  create_room(buyer, "b1", "s1");
  auto seller = login("s1", "SELLER");
  ASSERT_TRUE(run_until([&] { return events(buyer, "user_status").size() == 1; }));
  const auto statuses = events(buyer, "user_status");
  const auto& online = (*statuses[0])[0];
  EXPECT_EQ(text_of(online, "user_id"), "s1");
  EXPECT_EQ(text_of(online, "role"), "SELLER");
  EXPECT_TRUE(online["online"].GetBool());

  auto seller_tab2 = login("s1", "SELLER");
  settle();
  EXPECT_EQ(events(buyer, "user_status").size(), 1u) << "a second tab changes nothing";

  auto status = call(buyer, "get_user_status", R"({"user_ids":["s1","nobody"]})");
  ASSERT_EQ((*status)["users"].Size(), 2u);
  EXPECT_TRUE((*status)["users"][0]["online"].GetBool());
  EXPECT_FALSE((*status)["users"][1]["online"].GetBool());

  boost::asio::post(io_, [seller] { seller->report_close("transport close"); });
  settle();
  EXPECT_EQ(events(buyer, "user_status").size(), 1u);
  boost::asio::post(io_, [seller_tab2] { seller_tab2->report_close("transport close"); });
  ASSERT_TRUE(run_until([&] { return events(buyer, "user_status").size() == 2; }));
  const auto statuses_after = events(buyer, "user_status");
  const auto& offline = (*statuses_after[1])[0];
  EXPECT_FALSE(offline["online"].GetBool());
  EXPECT_TRUE(offline["last_seen"].IsString());
}

// Presence is not public: a user's status is answered only to itself and the users it shares a
// room with; to anyone else the user reads as unknown, like a user never seen.
TEST_F(Handlers, UserStatusIsAnsweredOnlyForSelfAndRoomPartners) {
  auto buyer = login("b1");
  create_room(buyer, "b1", "s1");
  auto partner = login("s1", "SELLER");
  auto stranger = login("s2", "SELLER");
  settle();
  auto status = call(buyer, "get_user_status", R"({"user_ids":["s2","s1","b1","s2"]})");
  const auto& users = (*status)["users"];
  ASSERT_EQ(users.Size(), 4u);
  EXPECT_EQ(text_of(users[0], "user_id"), "s2");
  EXPECT_FALSE(users[0]["online"].GetBool()) << "s2 is online but shares no room with b1";
  EXPECT_TRUE(users[0]["role"].IsNull());
  EXPECT_TRUE(users[0]["last_seen"].IsNull());
  EXPECT_EQ(text_of(users[1], "user_id"), "s1");
  EXPECT_TRUE(users[1]["online"].GetBool());
  EXPECT_EQ(text_of(users[1], "role"), "SELLER");
  EXPECT_EQ(text_of(users[2], "user_id"), "b1");
  EXPECT_TRUE(users[2]["online"].GetBool()) << "a user may read its own status";
  EXPECT_FALSE(users[3]["online"].GetBool());

  auto other_view = call(stranger, "get_user_status", R"({"user_ids":["b1","s1"]})");
  EXPECT_FALSE((*other_view)["users"][0]["online"].GetBool());
  EXPECT_FALSE((*other_view)["users"][1]["online"].GetBool());
  (void)partner;
}

// --- limits ---

// Tokens come back so slowly that none does during the test: the counts are exact.
class HandlersWithLimits : public MessengerFixture {
 protected:
  void configure(Options& options) override {
    options.rate_limits.events = TokenRate{0.001, 4};
    options.rate_limits.max_refused = 3;
    options.rate_limits.max_sockets_per_user = 2;
  }
};

TEST_F(HandlersWithLimits, EventsOverTheRateAreRefusedThenTheSocketIsDisconnected) {
  auto buyer = login("b1");
  create_room(buyer, "b1", "s1");  // one token
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(error_code(*call(buyer, "typing", R"({"room_id":"b1.s1","from":"b1","to":"s1"})")),
              "OK");
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(error_code(*call(buyer, "new_message", message_json("b1", "s1", "x"))),
              "RATE_LIMITED");
  // Unknown events and malformed packets count too; without an ack the refusal is an event.
  emit(buyer, "no_such_event", "{}");
  ASSERT_TRUE(run_until([&] { return buyer->close_calls() > 0; }))
      << "patience spent: disconnected";
  const auto errors = events(buyer, "error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(text_of((*errors[0])[0], "code"), "RATE_LIMITED");
  // Nothing refused was stored.
  auto seller = login("s1", "SELLER");
  auto synced = call(seller, "sync", "{}");
  EXPECT_EQ((*synced)["messages"].Size(), 0u);
}

TEST_F(Handlers, UnknownEventWithAnAckGetsAnErrorAck) {
  auto buyer = login("b1");
  EXPECT_EQ(error_code(*call(buyer, "no_such_event", "{}")), "UNKNOWN_EVENT");
  emit(buyer, "no_such_event", "{}");  // without an ack: nothing at all
  settle();
  EXPECT_TRUE(events(buyer, "error").empty());
  EXPECT_EQ(buyer->close_calls(), 0);
}

TEST_F(HandlersWithLimits, SocketsPerUserAreCapped) {
  auto tab1 = login("b1");
  auto tab2 = login("b1");
  auto tab3 =
      connect_with(R"({"token":")" + mint("b1") + R"(","user_id":"b1","user_role":"BUYER"})");
  EXPECT_EQ(
      tab3->texts().at(0),
      R"(44/messenger,{"message":"too many connections","data":{"reason":"too many connections for this user"}})");
  auto other = login("b2");  // another user is not affected
  boost::asio::post(io_, [tab1] { tab1->report_close("transport close"); });
  settle();
  auto tab4 = login("b1");  // a socket gone makes room
  (void)tab2;
  (void)other;
  (void)tab4;
}

}  // namespace
}  // namespace cz::messenger::testing
