#include "net/websocket_frame.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace cz::net::ws {
namespace {

struct Event {
  std::string kind;
  std::string payload;
  bool binary = false;
  std::uint16_t code = 0;
  bool operator==(const Event&) const = default;
};

struct RecordingSink : FrameSink {
  std::vector<Event> events;
  void on_message(std::string_view p, bool binary) override {
    events.push_back({"message", std::string(p), binary, 0});
  }
  void on_ping(std::string_view p) override { events.push_back({"ping", std::string(p)}); }
  void on_pong(std::string_view p) override { events.push_back({"pong", std::string(p)}); }
  void on_close(std::uint16_t code, std::string_view reason) override {
    events.push_back({"close", std::string(reason), false, code});
  }
};

ParseResult parse_all(FrameParser& parser, std::string bytes, RecordingSink& sink) {
  return parser.parse(bytes.data(), bytes.size(), sink);
}

TEST(WebSocketFrame, AcceptKeyMatchesRfcExample) {
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketFrame, ParsesMaskedTextFrame) {
  FrameParser parser(1024);
  RecordingSink sink;
  const auto frame = encode_client_frame(Opcode::Text, "4hello", 0x37fa213d);
  auto r = parse_all(parser, frame, sink);
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(r.consumed, frame.size());
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(sink.events[0], (Event{"message", "4hello", false, 0}));
}

TEST(WebSocketFrame, ParsesSeveralFramesInOneBuffer) {
  FrameParser parser(1024);
  RecordingSink sink;
  std::string bytes = encode_client_frame(Opcode::Text, "a", 1) +
                      encode_client_frame(Opcode::Binary, std::string("\0\1\2", 3), 2) +
                      encode_client_frame(Opcode::Ping, "p", 3);
  auto r = parse_all(parser, bytes, sink);
  EXPECT_EQ(r.consumed, bytes.size());
  ASSERT_EQ(sink.events.size(), 3u);
  EXPECT_EQ(sink.events[1], (Event{"message", std::string("\0\1\2", 3), true, 0}));
  EXPECT_EQ(sink.events[2], (Event{"ping", "p"}));
}

TEST(WebSocketFrame, StopsAtIncompleteFrameAndResumes) {
  FrameParser parser(1 << 20);
  RecordingSink sink;
  const std::string payload(70000, 'x');  // 64-bit length form
  const auto frame = encode_client_frame(Opcode::Text, payload, 0xdeadbeef);
  for (std::size_t cut : {std::size_t{1}, std::size_t{5}, std::size_t{13}, frame.size() - 1}) {
    std::string part = frame.substr(0, cut);
    auto r = parser.parse(part.data(), part.size(), sink);
    EXPECT_EQ(r.consumed, 0u) << cut;
    EXPECT_EQ(r.error, 0);
  }
  EXPECT_TRUE(sink.events.empty());
  EXPECT_EQ(FrameParser::frame_size(frame.data(), frame.size()), frame.size());
  EXPECT_EQ(FrameParser::frame_size(frame.data(), 1), 0u);
  // Found by fuzzing (fuzz_websocket_frame): a 64-bit length near 2^64 plus the header wrapped
  // around to a size smaller than the header.
  const std::string huge =
      "\x81\xff\xff\xff\xff\xff\xff\xff\xff\xf3"
      "mask";
  EXPECT_EQ(FrameParser::frame_size(huge.data(), huge.size()),
            std::numeric_limits<std::size_t>::max());
  auto r = parse_all(parser, frame, sink);
  EXPECT_EQ(r.consumed, frame.size());
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(sink.events[0].payload, payload);
}

TEST(WebSocketFrame, SixteenBitLength) {
  FrameParser parser(1 << 20);
  RecordingSink sink;
  const std::string payload(300, 'y');
  auto frame = encode_client_frame(Opcode::Binary, payload, 7);
  EXPECT_EQ(static_cast<unsigned char>(frame[1]) & 0x7F, 126);
  auto r = parse_all(parser, frame, sink);
  EXPECT_EQ(r.consumed, frame.size());
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(sink.events[0].payload, payload);
}

TEST(WebSocketFrame, ReassemblesFragmentsWithInterleavedControl) {
  FrameParser parser(1024);
  RecordingSink sink;
  std::string bytes = encode_client_frame(Opcode::Text, "hel", 1, false) +
                      encode_client_frame(Opcode::Ping, "x", 2) +
                      encode_client_frame(Opcode::Continuation, "lo ", 3, false) +
                      encode_client_frame(Opcode::Continuation, "world", 4, true);
  auto r = parse_all(parser, bytes, sink);
  EXPECT_EQ(r.error, 0);
  ASSERT_EQ(sink.events.size(), 2u);
  EXPECT_EQ(sink.events[0], (Event{"ping", "x"}));
  EXPECT_EQ(sink.events[1], (Event{"message", "hello world", false, 0}));
  EXPECT_FALSE(parser.assembling());
}

TEST(WebSocketFrame, CloseFrameWithCodeAndReason) {
  FrameParser parser(1024);
  RecordingSink sink;
  std::string bytes = encode_client_frame(Opcode::Close, encode_close_payload(1000, "bye"), 9) +
                      encode_client_frame(Opcode::Text, "ignored", 9);
  auto r = parse_all(parser, bytes, sink);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.error, 0);
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(sink.events[0], (Event{"close", "bye", false, 1000}));
}

TEST(WebSocketFrame, EmptyCloseMeansNoStatus) {
  FrameParser parser(1024);
  RecordingSink sink;
  auto r = parse_all(parser, encode_client_frame(Opcode::Close, "", 9), sink);
  EXPECT_TRUE(r.closed);
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(sink.events[0].code, close_code::no_status);
}

struct ErrorCase {
  const char* name;
  std::string bytes;
  std::uint16_t code;
};

TEST(WebSocketFrame, ProtocolErrors) {
  std::string unmasked = encode_frame(Opcode::Text, "hi");
  std::string rsv = encode_client_frame(Opcode::Text, "hi", 1);
  rsv[0] = static_cast<char>(rsv[0] | 0x40);
  std::string unknown_op = encode_client_frame(Opcode::Text, "hi", 1);
  unknown_op[0] = static_cast<char>(0x80 | 0x3);
  std::string big_ping = encode_client_frame(Opcode::Ping, std::string(126, 'p'), 1);
  std::string fragmented_ping = encode_client_frame(Opcode::Ping, "p", 1, false);
  std::string lone_continuation = encode_client_frame(Opcode::Continuation, "x", 1);
  std::string nested =
      encode_client_frame(Opcode::Text, "a", 1, false) + encode_client_frame(Opcode::Text, "b", 1);
  std::string bad_close_code = encode_client_frame(Opcode::Close, encode_close_payload(1005), 1);
  std::string one_byte_close = encode_client_frame(Opcode::Close, "x", 1);
  std::string bad_utf8 = encode_client_frame(Opcode::Text, "\xc3\x28", 1);
  std::string overlong = encode_client_frame(Opcode::Text, "\xc0\xaf", 1);
  std::string surrogate = encode_client_frame(Opcode::Text, "\xed\xa0\x80", 1);
  std::string truncated = encode_client_frame(Opcode::Text, "ab\xe2\x82", 1);
  std::vector<ErrorCase> cases = {
      {"unmasked", unmasked, close_code::protocol_error},
      {"rsv", rsv, close_code::protocol_error},
      {"unknown opcode", unknown_op, close_code::protocol_error},
      {"big ping", big_ping, close_code::protocol_error},
      {"fragmented ping", fragmented_ping, close_code::protocol_error},
      {"lone continuation", lone_continuation, close_code::protocol_error},
      {"nested message", nested, close_code::protocol_error},
      {"reserved close code", bad_close_code, close_code::protocol_error},
      {"one byte close", one_byte_close, close_code::protocol_error},
      {"bad utf8", bad_utf8, close_code::invalid_payload},
      {"overlong utf8", overlong, close_code::invalid_payload},
      {"surrogate", surrogate, close_code::invalid_payload},
      {"truncated utf8", truncated, close_code::invalid_payload},
  };
  for (auto& c : cases) {
    FrameParser parser(1024);
    RecordingSink sink;
    auto r = parse_all(parser, c.bytes, sink);
    EXPECT_EQ(r.error, c.code) << c.name;
  }
}

TEST(WebSocketFrame, TooBigIsRejectedFromTheHeaderAlone) {
  FrameParser parser(100);
  RecordingSink sink;
  const auto frame = encode_client_frame(Opcode::Text, std::string(101, 'z'), 1);
  std::string header_only = frame.substr(0, 8);  // 2 + 2 (len) + 4 (mask), no payload
  auto r = parser.parse(header_only.data(), header_only.size(), sink);
  EXPECT_EQ(r.error, close_code::too_big);
}

TEST(WebSocketFrame, TooBigAcrossFragments) {
  FrameParser parser(10);
  RecordingSink sink;
  std::string bytes = encode_client_frame(Opcode::Text, "123456", 1, false) +
                      encode_client_frame(Opcode::Continuation, "78901", 1, true);
  auto r = parse_all(parser, bytes, sink);
  EXPECT_EQ(r.error, close_code::too_big);
  EXPECT_TRUE(sink.events.empty());
}

TEST(WebSocketFrame, HugeDeclaredLengthIsRejected) {
  FrameParser parser(1000);
  RecordingSink sink;
  std::string bytes = "\x81\xff";
  bytes += std::string("\x7f\xff\xff\xff\xff\xff\xff\xff", 8);
  bytes += "mask";
  auto r = parse_all(parser, bytes, sink);
  EXPECT_NE(r.error, 0);
}

TEST(WebSocketFrame, EncodesServerHeaders) {
  std::uint8_t h[kMaxServerHeader];
  EXPECT_EQ(encode_header(h, Opcode::Text, 5), 2u);
  EXPECT_EQ(h[0], 0x81);
  EXPECT_EQ(h[1], 5);
  EXPECT_EQ(encode_header(h, Opcode::Binary, 65535), 4u);
  EXPECT_EQ(h[0], 0x82);
  EXPECT_EQ(h[1], 126);
  EXPECT_EQ(h[2], 0xFF);
  EXPECT_EQ(h[3], 0xFF);
  EXPECT_EQ(encode_header(h, Opcode::Text, 65536), 10u);
  EXPECT_EQ(h[1], 127);
  EXPECT_EQ(h[7], 1);
  EXPECT_EQ(h[8], 0);
  EXPECT_EQ(encode_header(h, Opcode::Close, 2, true), 2u);
  EXPECT_EQ(h[0], 0x88);
}

TEST(WebSocketFrame, ClosePayloadTruncatesReason) {
  auto p = encode_close_payload(1001, std::string(300, 'r'));
  EXPECT_EQ(p.size(), kMaxControlPayload);
  EXPECT_EQ(static_cast<unsigned char>(p[0]), 0x03);
  EXPECT_EQ(static_cast<unsigned char>(p[1]), 0xE9);
}

TEST(WebSocketFrame, MaskRoundTripAtAnyOffset) {
  const std::uint8_t mask[4] = {1, 2, 3, 4};
  std::string data = "The quick brown fox jumps over the lazy dog";
  std::string copy = data;
  apply_mask(copy.data(), 5, mask, 0);
  apply_mask(copy.data() + 5, copy.size() - 5, mask, 5);
  for (std::size_t i = 0; i < data.size(); ++i)
    EXPECT_EQ(static_cast<std::uint8_t>(copy[i] ^ data[i]), mask[i % 4]);
}

}  // namespace
}  // namespace cz::net::ws
