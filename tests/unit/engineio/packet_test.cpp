#include "engineio/packet.hpp"

#include <gtest/gtest.h>

#include "util/base64.hpp"

namespace cz::engineio {
namespace {

TEST(EngineIoPacket, DecodesEveryTextType) {
  const std::pair<char, PacketType> types[] = {
      {'0', PacketType::Open}, {'1', PacketType::Close},   {'2', PacketType::Ping},
      {'3', PacketType::Pong}, {'4', PacketType::Message}, {'5', PacketType::Upgrade},
      {'6', PacketType::Noop},
  };
  for (auto [digit, type] : types) {
    std::string frame = std::string(1, digit) + "data";
    auto p = decode_packet(frame, false);
    ASSERT_TRUE(p.ok()) << digit;
    EXPECT_EQ(p->type, type);
    EXPECT_FALSE(p->binary);
    EXPECT_EQ(p->data, "data");
  }
}

TEST(EngineIoPacket, DecodesProbeAndBareTypes) {
  auto ping = decode_packet("2probe", false);
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ(ping->type, PacketType::Ping);
  EXPECT_EQ(ping->data, "probe");
  auto pong = decode_packet("3", false);
  ASSERT_TRUE(pong.ok());
  EXPECT_EQ(pong->type, PacketType::Pong);
  EXPECT_TRUE(pong->data.empty());
}

TEST(EngineIoPacket, BinaryFrameIsBinaryMessage) {
  const std::string bytes("\x00\x01\xff", 3);
  auto p = decode_packet(bytes, true);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->type, PacketType::Message);
  EXPECT_TRUE(p->binary);
  EXPECT_EQ(p->data, bytes);
}

TEST(EngineIoPacket, RejectsMalformedPackets) {
  EXPECT_FALSE(decode_packet("", false).ok());
  EXPECT_FALSE(decode_packet("7", false).ok());
  EXPECT_FALSE(decode_packet("x4", false).ok());
  EXPECT_FALSE(decode_packet("/", false).ok());
}

TEST(EngineIoPacket, EncodesPackets) {
  EXPECT_EQ(encode_packet(PacketType::Pong, "probe"), "3probe");
  EXPECT_EQ(encode_packet(PacketType::Ping), "2");
  EXPECT_EQ(encode_packet(PacketType::Noop), "6");
  EXPECT_EQ(encode_packet(PacketType::Message, "hi"), "4hi");
}

TEST(EngineIoPayload, EncodesTextAndBinary) {
  std::vector<OutgoingPacket> packets = {
      {make_buffer("4hello"), false},
      {make_buffer(std::string("\x01\x02\x03\x04", 4)), true},
      {make_buffer("2"), false},
  };
  EXPECT_EQ(encode_payload(packets),
            "4hello\x1e"
            "bAQIDBA==\x1e"
            "2");
  EXPECT_EQ(encode_payload({}), "");
}

TEST(EngineIoPayload, RoundTrip) {
  std::vector<OutgoingPacket> packets = {
      {make_buffer("4first"), false},
      {make_buffer(std::string("\x00\xfe", 2)), true},
      {make_buffer("4"), false},
      {make_buffer("1"), false},
  };
  auto decoded = decode_payload(encode_payload(packets), 1000);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ASSERT_EQ(decoded->size(), 4u);
  EXPECT_EQ((*decoded)[0].type, PacketType::Message);
  EXPECT_EQ((*decoded)[0].data, "first");
  EXPECT_TRUE((*decoded)[1].binary);
  EXPECT_EQ((*decoded)[1].data, std::string("\x00\xfe", 2));
  EXPECT_EQ((*decoded)[2].data, "");
  EXPECT_EQ((*decoded)[3].type, PacketType::Close);
}

TEST(EngineIoPayload, SinglePacketWithoutSeparator) {
  auto decoded = decode_payload("4hello", 100);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ((*decoded)[0].data, "hello");
}

TEST(EngineIoPayload, RejectsMalformedPayloads) {
  EXPECT_FALSE(decode_payload("", 100).ok());
  EXPECT_FALSE(decode_payload("\x1e", 100).ok());
  EXPECT_FALSE(decode_payload("4a\x1e", 100).ok());
  EXPECT_FALSE(decode_payload("4a\x1e\x1e"
                              "4b",
                              100)
                   .ok());
  EXPECT_FALSE(decode_payload("9bad", 100).ok());
  EXPECT_FALSE(decode_payload("4ok\x1e"
                              "8",
                              100)
                   .ok());
  EXPECT_FALSE(decode_payload("b!!!!", 100).ok());
  EXPECT_FALSE(decode_payload("bAQI=D", 100).ok());
  EXPECT_FALSE(decode_payload("bA", 100).ok());
  EXPECT_FALSE(decode_payload(std::string(101, '4'), 100).ok());
  EXPECT_TRUE(decode_payload(std::string(100, '4'), 100).ok());
}

}  // namespace
}  // namespace cz::engineio
