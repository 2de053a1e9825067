#include "cluster/broadcast_message.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <memory>

#include "cluster/msgpack.hpp"

namespace cz::cluster {
namespace {

std::string bytes(std::initializer_list<int> list) {
  std::string s;
  for (int b : list) s.push_back(static_cast<char>(b));
  return s;
}

std::string str(std::string_view s) {  // fixstr
  return bytes({0xa0 | static_cast<int>(s.size())}) + std::string(s);
}

TEST(Msgpack, IntegersUseTheSmallestForm) {
  std::string out;
  msgpack::Writer w(out);
  w.integer(5);
  w.integer(-3);
  w.integer(200);
  w.integer(-200);
  w.unsigned_integer(70000);
  EXPECT_EQ(out, bytes({0x05, 0xfd, 0xcc, 200, 0xd1, 0xff, 0x38, 0xce, 0x00, 0x01, 0x11, 0x70}));
  msgpack::Reader r(out);
  msgpack::Item item;
  ASSERT_TRUE(r.next(item));
  EXPECT_EQ(item.uint_value, 5u);
  ASSERT_TRUE(r.next(item));
  EXPECT_EQ(item.int_value, -3);
  ASSERT_TRUE(r.next(item));
  EXPECT_EQ(item.uint_value, 200u);
  ASSERT_TRUE(r.next(item));
  EXPECT_EQ(item.int_value, -200);
  ASSERT_TRUE(r.next(item));
  EXPECT_EQ(item.uint_value, 70000u);
  EXPECT_TRUE(r.at_end());
}

TEST(Msgpack, LongStringsAndBinRoundTrip) {
  std::string out;
  msgpack::Writer w(out);
  std::string long_text(300, 'x');
  w.str(long_text);
  w.bin(std::string("\0\1\2", 3));
  w.float64(1.5);
  msgpack::Reader r(out);
  msgpack::Item item;
  ASSERT_TRUE(r.next(item));
  EXPECT_EQ(item.kind, msgpack::Kind::Str);
  EXPECT_EQ(item.bytes, long_text);
  ASSERT_TRUE(r.next(item));
  EXPECT_EQ(item.kind, msgpack::Kind::Bin);
  EXPECT_EQ(item.bytes, std::string_view("\0\1\2", 3));
  ASSERT_TRUE(r.next(item));
  EXPECT_EQ(item.kind, msgpack::Kind::Float);
  EXPECT_EQ(item.float_value, 1.5);
}

TEST(BroadcastMessage, ChannelNamesFollowTheNodeAdapter) {
  EXPECT_EQ(namespace_channel("/chat"), "socket.io#/chat#");
  EXPECT_EQ(broadcast_channel("/", {}), "socket.io#/#");
  EXPECT_EQ(broadcast_channel("/", {{"room1"}, {}}), "socket.io#/#room1#");
  EXPECT_EQ(broadcast_channel("/", {{"a", "b"}, {}}), "socket.io#/#");
}

TEST(BroadcastMessage, EncodesTheV8LayoutExactly) {
  auto packet = socketio::make_broadcast_packet("/", "hi", {R"(1,"x")", {}});
  auto message = encode_broadcast("abc", *packet, {{"r"}, {"e"}});
  ASSERT_TRUE(message);
  std::string expected = bytes({0x93}) + str("abc") + bytes({0x83}) + str("type") + bytes({0x02}) +
                         str("data") + bytes({0x93}) + str("hi") + bytes({0x01}) + str("x") +
                         str("nsp") + str("/") + bytes({0x83}) + str("rooms") + bytes({0x91}) +
                         str("r") + str("except") + bytes({0x91}) + str("e") + str("flags") +
                         bytes({0x80});
  EXPECT_EQ(*message, expected);
}

TEST(BroadcastMessage, JsonValuesBecomeMsgpackValues) {
  std::string out;
  ASSERT_TRUE(json_args_to_msgpack(R"({"a":[true,null,-1.5]})", "ev", {}, out));
  std::string expected = bytes({0x92}) + str("ev") + bytes({0x81}) + str("a") +
                         bytes({0x93, 0xc3, 0xc0, 0xcb, 0xbf, 0xf8, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(out, expected);
  std::string bad;
  EXPECT_FALSE(json_args_to_msgpack("{", "ev", {}, bad));
}

// Found by fuzzing (fuzz_cluster_broadcast): 1.5000000335276127 went to the other nodes as
// 1.500000033527613 (another double), since the arguments were parsed without full precision.
// The text may differ (RapidJSON's writer is exact, not always shortest): the numbers may not.
TEST(BroadcastMessage, NumbersReachTheOtherNodesUnchanged) {
  auto numbers = [](const std::string& args) {
    auto doc = std::make_unique<rapidjson::Document>();
    doc->Parse<rapidjson::kParseFullPrecisionFlag>(("[" + args + "]").c_str());
    EXPECT_FALSE(doc->HasParseError()) << args;
    return doc;
  };
  for (const char* args : {"1.5000000335276127", "0.30000000000000004,-2.2250738585072014e-308",
                           R"({"f":5e-324,"g":1.7976931348623157e308})", "123456789.12345679"}) {
    auto packet = socketio::make_broadcast_packet("/", "ev", {args, {}});
    auto message = encode_broadcast("abc", *packet, {});
    ASSERT_TRUE(message) << args;
    auto decoded = decode_broadcast(*message);
    ASSERT_TRUE(decoded) << args;
    EXPECT_TRUE(*numbers(decoded->payload.json_args) == *numbers(args))
        << args << " came back as " << decoded->payload.json_args;
  }
}

// Found by fuzzing (fuzz_cluster_broadcast): of a packet with two "data" keys, the second one's
// arguments were kept with the first one's bins (an attachment no placeholder named).
TEST(BroadcastMessage, ASecondDataKeyReplacesTheFirstWithItsBins) {
  const std::string message = bytes({0x93}) + str("u") + bytes({0x84}) + str("type") +
                              bytes({0x05}) + str("data") + bytes({0x92}) + str("a") +
                              bytes({0xc4, 0x01, 0x78}) + str("data") + bytes({0x92}) + str("b") +
                              bytes({0x07}) + str("nsp") + str("/") + bytes({0x80});
  auto decoded = decode_broadcast(message);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->event, "b");
  EXPECT_EQ(decoded->payload.json_args, "7");
  EXPECT_TRUE(decoded->payload.attachments.empty());
}

TEST(BroadcastMessage, AttachmentsBecomeBinAndComeBack) {
  socketio::Payload payload{R"("t",{"file":{"_placeholder":true,"num":0}})",
                            {make_buffer(std::string("\xff\x00\x01", 3))}};
  auto packet = socketio::make_broadcast_packet("/test", "upload", payload);
  auto message = encode_broadcast("node1", *packet, {});
  ASSERT_TRUE(message);
  EXPECT_NE(message->find(bytes({0xc4, 0x03, 0xff, 0x00, 0x01})), std::string::npos);

  auto decoded = decode_broadcast(*message);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->uid, "node1");
  EXPECT_EQ(decoded->nsp, "/test");
  EXPECT_EQ(decoded->event, "upload");
  EXPECT_EQ(decoded->payload.json_args, R"("t",{"file":{"_placeholder":true,"num":0}})");
  ASSERT_EQ(decoded->payload.attachments.size(), 1u);
  EXPECT_EQ(*decoded->payload.attachments[0], std::string("\xff\x00\x01", 3));
  EXPECT_TRUE(decoded->target.rooms.empty());
  EXPECT_FALSE(decoded->local_only);
}

// What Node's notepack writes for
//   [uid, {type: 2, data: ["ev", undefined, 2.5, -7], nsp: "/"},
//    {rooms: ["r1", "r2"], except: ["x"], flags: {local: true}}]
TEST(BroadcastMessage, DecodesANodeMessage) {
  std::string msg = bytes({0x93}) + str("XyZ123") + bytes({0x83}) + str("type") + bytes({0x02}) +
                    str("data") + bytes({0x94}) + str("ev") + bytes({0xd4, 0x00, 0x00}) +
                    bytes({0xcb, 0x40, 0x04, 0, 0, 0, 0, 0, 0}) + bytes({0xf9}) + str("nsp") +
                    str("/") + bytes({0x83}) + str("rooms") + bytes({0x92}) + str("r1") +
                    str("r2") + str("except") + bytes({0x91}) + str("x") + str("flags") +
                    bytes({0x81}) + str("local") + bytes({0xc3});
  auto decoded = decode_broadcast(msg);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->uid, "XyZ123");
  EXPECT_EQ(decoded->event, "ev");
  EXPECT_EQ(decoded->payload.json_args, "null,2.5,-7");
  EXPECT_EQ(decoded->target.rooms, (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(decoded->target.except_rooms, (std::vector<std::string>{"x"}));
  EXPECT_TRUE(decoded->local_only);
}

TEST(BroadcastMessage, MissingNspMeansTheMainNamespace) {
  std::string msg = bytes({0x93}) + str("u") + bytes({0x82}) + str("type") + bytes({0x02}) +
                    str("data") + bytes({0x91}) + str("ev") + bytes({0x80});
  auto decoded = decode_broadcast(msg);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->nsp, "/");
  EXPECT_EQ(decoded->payload.json_args, "");
}

TEST(BroadcastMessage, RejectsOtherPacketTypesAndEveryTruncation) {
  std::string connect_packet = bytes({0x93}) + str("u") + bytes({0x82}) + str("type") +
                               bytes({0x00}) + str("data") + bytes({0x91}) + str("ev") +
                               bytes({0x80});
  EXPECT_FALSE(decode_broadcast(connect_packet));

  auto packet = socketio::make_broadcast_packet("/", "hi", {R"([1,{"k":"v"}],"x")", {}});
  auto message = encode_broadcast("abc", *packet, {{"r"}, {}});
  ASSERT_TRUE(message);
  ASSERT_TRUE(decode_broadcast(*message));
  for (std::size_t n = 0; n < message->size(); ++n) {
    EXPECT_FALSE(decode_broadcast(std::string_view(*message).substr(0, n))) << n;
  }
  EXPECT_FALSE(decode_broadcast(bytes({0xc1})));
  std::string deep(200, static_cast<char>(0x91));  // nested arrays beyond the depth limit
  EXPECT_FALSE(decode_broadcast(bytes({0x93}) + str("u") + bytes({0x82}) + str("type") +
                                bytes({0x02}) + str("data") + bytes({0x92}) + str("ev") + deep));
}

// Found by reading the parser for fuzz_cluster_broadcast.cpp (before the target first ran): the
// rooms list reserved room for the count its header announced (up to 2^32 - 1 strings, 128 GiB)
// before reading any of them, and the failed allocation threw out of the decoder.
TEST(BroadcastMessage, ListCountsBeyondTheMessageAreRefusedWithoutAllocating) {
  const std::string start = bytes({0x93}) + str("u") + bytes({0x82}) + str("type") + bytes({0x02}) +
                            str("data") + bytes({0x91}) + str("ev") + bytes({0x81});
  for (const char* list : {"rooms", "except"}) {
    const std::string huge = start + str(list) + bytes({0xdd, 0xff, 0xff, 0xff, 0xff}) + str("r");
    std::optional<DecodedBroadcast> decoded;
    EXPECT_NO_THROW(decoded = decode_broadcast(huge)) << list;
    EXPECT_FALSE(decoded) << list;
  }
}

}  // namespace
}  // namespace cz::cluster
