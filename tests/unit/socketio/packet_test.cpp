#include "socketio/packet.hpp"

#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

namespace cz::socketio {
namespace {

std::string to_json(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

Packet decode_ok(std::string_view text) {
  auto result = decode(text);
  EXPECT_TRUE(result.ok()) << text << ": " << (result.ok() ? "" : result.error().message);
  return result.ok() ? std::move(result.value()) : Packet{};
}

// The message of a decode error, checking its code (PARSE_ERROR unless told otherwise).
std::string decode_error(std::string_view text, const DecodeLimits& limits = {},
                         std::string_view code = kParseError) {
  auto result = decode(text, limits);
  EXPECT_FALSE(result.ok()) << text;
  if (result.ok()) return "";
  EXPECT_EQ(result.error().code, code) << text;
  return result.error().message;
}

std::string json_error(std::string_view text) {
  return decode_error(text, {}, kInvalidJson);
}

// --- decoding each packet type ---

TEST(PacketDecode, ConnectMainNamespaceWithoutPayload) {
  Packet p = decode_ok("0");
  EXPECT_EQ(p.type, PacketType::Connect);
  EXPECT_EQ(p.nsp, "/");
  EXPECT_FALSE(p.id);
  EXPECT_FALSE(p.has_data());
  EXPECT_TRUE(p.data().IsNull());
}

TEST(PacketDecode, ConnectWithNamespaceAndAuth) {
  Packet p = decode_ok("0/admin,{\"token\":\"abc\",\"n\":1}");
  EXPECT_EQ(p.type, PacketType::Connect);
  EXPECT_EQ(p.nsp, "/admin");
  ASSERT_TRUE(p.has_data());
  ASSERT_TRUE(p.data().IsObject());
  EXPECT_STREQ(p.data()["token"].GetString(), "abc");
  EXPECT_EQ(p.data()["n"].GetInt(), 1);
}

TEST(PacketDecode, ConnectNamespaceWithoutTrailingComma) {
  Packet p = decode_ok("0/admin");
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_FALSE(p.has_data());
}

// Found by fuzzing (fuzz_socketio_packet, ASan heap-buffer-overflow): a non-ASCII text ending
// in a lead byte made RapidJSON's UTF-8 check read up to 3 bytes past the end of the parse
// buffer. These texts are refused; the over-read itself shows only under the fuzz build's ASan
// (rerun build-fuzz/tests/fuzz/fuzz_socketio_packet on such input), since the bytes past a
// std::string's end are not poisoned in build-asan/.
TEST(PacketDecodeErrors, TextEndingInALeadByteIsReadWithinItsBuffer) {
  for (const char* lead : {"\xf4", "\xf0\x90", "\xe2", "\xc3"}) {
    EXPECT_FALSE(decode(std::string("2[\"e\",\"") + lead).ok()) << lead;
    EXPECT_FALSE(decode(std::string("2[\"e\",{\"") + lead).ok()) << lead;
  }
  const auto ok = decode("2[\"e\",\"caf\xc3\xa9\"]");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->data()[0].GetString(), std::string("caf\xc3\xa9"));
}

TEST(PacketDecode, Disconnect) {
  Packet p = decode_ok("1/admin,");
  EXPECT_EQ(p.type, PacketType::Disconnect);
  EXPECT_EQ(p.nsp, "/admin");
  EXPECT_EQ(decode_ok("1").nsp, "/");
}

TEST(PacketDecode, EventSplitsNameFromArguments) {
  Packet p = decode_ok("2[\"hello\",1,{\"a\":[true]}]");
  EXPECT_EQ(p.type, PacketType::Event);
  EXPECT_EQ(p.event, "hello");
  EXPECT_FALSE(p.id);
  EXPECT_EQ(to_json(p.data()), "[1,{\"a\":[true]}]");
}

TEST(PacketDecode, EventWithNamespaceAndAckId) {
  Packet p = decode_ok("2/chat,12[\"msg\",\"hi\"]");
  EXPECT_EQ(p.nsp, "/chat");
  ASSERT_TRUE(p.id);
  EXPECT_EQ(*p.id, 12u);
  EXPECT_EQ(p.event, "msg");
  EXPECT_EQ(to_json(p.data()), "[\"hi\"]");
}

TEST(PacketDecode, EventWithoutArguments) {
  Packet p = decode_ok("20[\"ping\"]");
  EXPECT_EQ(*p.id, 0u);
  EXPECT_EQ(p.event, "ping");
  EXPECT_TRUE(p.data().IsArray());
  EXPECT_EQ(p.data().Size(), 0u);
}

TEST(PacketDecode, EventNameWithEscapes) {
  Packet p = decode_ok("2[\"a\\\"b\\u00e9\"]");
  EXPECT_EQ(p.event, "a\"b\xc3\xa9");
}

TEST(PacketDecode, Ack) {
  Packet p = decode_ok("3/admin,13[\"bar\",2]");
  EXPECT_EQ(p.type, PacketType::Ack);
  EXPECT_EQ(*p.id, 13u);
  EXPECT_EQ(to_json(p.data()), "[\"bar\",2]");
}

TEST(PacketDecode, AckWithoutPayloadHasNoArguments) {
  Packet p = decode_ok("37");
  EXPECT_TRUE(p.data().IsArray());
  EXPECT_EQ(p.data().Size(), 0u);
}

TEST(PacketDecode, ConnectError) {
  Packet p = decode_ok("4/admin,{\"message\":\"no\"}");
  EXPECT_EQ(p.type, PacketType::ConnectError);
  EXPECT_STREQ(p.data()["message"].GetString(), "no");
  EXPECT_EQ(decode_ok("4\"plain\"").data().GetString(), std::string("plain"));
}

TEST(PacketDecode, BinaryEventHeader) {
  Packet p = decode_ok(
      "52-/files,4[\"up\",{\"_placeholder\":true,\"num\":0},"
      "{\"_placeholder\":true,\"num\":1}]");
  EXPECT_EQ(p.type, PacketType::BinaryEvent);
  EXPECT_EQ(p.attachments, 2u);
  EXPECT_EQ(p.nsp, "/files");
  EXPECT_EQ(*p.id, 4u);
  EXPECT_EQ(p.event, "up");
  EXPECT_FALSE(p.complete());
}

TEST(PacketDecode, BinaryAckHeader) {
  Packet p = decode_ok("61-9[{\"_placeholder\":true,\"num\":0}]");
  EXPECT_EQ(p.type, PacketType::BinaryAck);
  EXPECT_EQ(p.attachments, 1u);
  EXPECT_EQ(*p.id, 9u);
}

// --- malformed input ---

TEST(PacketDecodeErrors, EmptyAndBadType) {
  EXPECT_EQ(decode_error(""), "empty packet");
  EXPECT_EQ(decode_error("7"), "unknown packet type");
  EXPECT_EQ(decode_error("x[\"a\"]"), "unknown packet type");
  EXPECT_EQ(decode_error("/"), "unknown packet type");
}

TEST(PacketDecodeErrors, AttachmentsCount) {
  EXPECT_EQ(decode_error("5[\"a\"]"), "invalid attachments count");
  EXPECT_EQ(decode_error("5-[\"a\"]"), "invalid attachments count");
  EXPECT_EQ(decode_error("51"), "invalid attachments count");
  EXPECT_EQ(decode_error("5x-[\"a\"]"), "invalid attachments count");
  EXPECT_EQ(decode_error("511-[\"a\"]"), "too many attachments");
  EXPECT_EQ(decode_error("599999999999999999999999999-[\"a\"]"), "too many attachments");
  DecodeLimits tight;
  tight.max_attachments = 1;
  EXPECT_EQ(decode_error("52-[\"a\"]", tight), "too many attachments");
}

TEST(PacketDecodeErrors, Namespace) {
  DecodeLimits limits;
  limits.max_nsp_length = 8;
  EXPECT_EQ(decode_error("0/waytoolong,", limits), "namespace name too long");
  EXPECT_EQ(decode_error(std::string_view("0/a\nb,", 6)), "invalid namespace name");
  EXPECT_EQ(decode_error("0/a\"b,"), "invalid namespace name");
  // Found by fuzzing (fuzz_socketio_packet): a name of invalid UTF-8 was accepted, and every
  // packet sent back to it was repaired into another namespace ("/messe\ufffd\ufffdnger").
  EXPECT_EQ(decode_error("52-/messe\xff\xffnger,7[\"file\",{\"_placeholder\":true,\"num\":0}]"),
            "invalid namespace name");
  EXPECT_EQ(decode_error("0/\xc3("), "invalid namespace name");
  EXPECT_EQ(decode_error("0/\xed\xa0\x80,"), "invalid namespace name") << "a surrogate";
  const auto accented = decode("0/caf\xc3\xa9,");
  ASSERT_TRUE(accented.ok());
  EXPECT_EQ(accented->nsp, "/caf\xc3\xa9");
}

TEST(PacketDecodeErrors, AckId) {
  EXPECT_EQ(decode_error("29007199254740992[\"a\"]"), "invalid ack id");
  EXPECT_EQ(decode_error("2123456789012345678901234567890[\"a\"]"), "invalid ack id");
  EXPECT_TRUE(decode("29007199254740991[\"a\"]").ok());
  EXPECT_EQ(decode_error("3[\"a\"]"), "ACK without an ack id");
}

TEST(PacketDecodeErrors, EventPayload) {
  EXPECT_EQ(decode_error("2"), "EVENT payload must be a non-empty array");
  EXPECT_EQ(decode_error("2{\"a\":1}"), "EVENT payload must be a non-empty array");
  EXPECT_EQ(decode_error("2[]"), "EVENT payload must be a non-empty array");
  EXPECT_EQ(decode_error("2\"hello\""), "EVENT payload must be a non-empty array");
  EXPECT_EQ(decode_error("2[1,2]"), "event name must be a string");
  EXPECT_EQ(decode_error("2[null]"), "event name must be a string");
  EXPECT_EQ(decode_error("2[\"disconnect\"]"), "reserved event name");
  EXPECT_EQ(decode_error("2[\"connect\",1]"), "reserved event name");
}

TEST(PacketDecodeErrors, OtherPayloads) {
  EXPECT_EQ(decode_error("0[1]"), "CONNECT payload must be an object");
  EXPECT_EQ(decode_error("0\"x\""), "CONNECT payload must be an object");
  EXPECT_EQ(decode_error("1{}"), "DISCONNECT must not carry a payload");
  EXPECT_EQ(decode_error("31{}"), "ACK payload must be an array");
  EXPECT_EQ(decode_error("4[1]"), "CONNECT_ERROR payload must be an object or a string");
}

TEST(PacketDecodeErrors, BadJson) {
  for (std::string_view bad : {"2[\"a\"", "2[\"a\"]]", "2[\"a\",]", "2[\"a\"] x", "0{a:1}",
                               "2[\"\xff\"]", "2[\"a\\q\"]", "0{\"a\":1}{}"}) {
    std::string message = json_error(bad);
    EXPECT_EQ(message.rfind("invalid JSON payload", 0), 0u) << bad << " -> " << message;
  }
}

TEST(PacketDecodeErrors, DeepNestingIsRefusedNotRecursed) {
  std::string deep = "2[\"a\"," + std::string(100000, '[') + std::string(100000, ']') + "]";
  EXPECT_EQ(json_error(deep), "JSON payload nested too deeply");
  // Brackets inside strings do not count.
  std::string in_string = "2[\"a\",\"" + std::string(1000, '[') + "\"]";
  EXPECT_TRUE(decode(in_string).ok());
  std::string ok_depth = "2[\"a\"," + std::string(60, '[') + std::string(60, ']') + "]";
  EXPECT_TRUE(decode(ok_depth).ok());
}

TEST(PacketDecode, Utf8TextIsValidatedOnlyWhereNeeded) {
  // Raw UTF-8 (as JSON.stringify sends it) and \u escapes both decode.
  Packet raw = decode_ok("2[\"m\",\"P\xc5\x99\xc3\xadli\xc5\xa1 \xf0\x9f\x98\x80\"]");
  EXPECT_EQ(std::string(raw.data()[0].GetString()), "P\xc5\x99\xc3\xadli\xc5\xa1 \xf0\x9f\x98\x80");
  Packet escaped = decode_ok("2[\"m\",\"\\u0159\\ud83d\\ude00\"]");
  EXPECT_EQ(std::string(escaped.data()[0].GetString()), "\xc5\x99\xf0\x9f\x98\x80");
  // Invalid UTF-8 anywhere (a lone continuation byte, a truncated sequence) is refused.
  EXPECT_FALSE(decode("2[\"m\",\"\x80\"]").ok());
  EXPECT_FALSE(decode("2[\"m\",\"\xc5\"]").ok());
  EXPECT_FALSE(decode("2[\"m\",\"\\ud83d\"]").ok());  // lone surrogate escape
  // Brackets counted eight bytes at a time and in the tail agree with the exact check.
  for (std::size_t depth : {63u, 64u, 65u, 70u}) {
    std::string s = "2[\"m\"," + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "]";
    EXPECT_EQ(decode(s).ok(), depth <= 64) << depth;
  }
}

TEST(PacketDecodeErrors, EmbeddedNulIsData) {
  std::string text("2[\"a\",\"x\\u0000y\"]");
  Packet p = decode_ok(text);
  EXPECT_EQ(std::string(p.data()[0].GetString(), p.data()[0].GetStringLength()),
            std::string("x\0y", 3));
  // A raw NUL byte is never valid JSON (it would end the in-situ parse early).
  std::string raw("2[\"a\"]\0]", 8);
  EXPECT_EQ(json_error(raw), "invalid JSON payload: raw NUL byte");
}

TEST(PacketDecodeErrors, InvalidUtf8IsInvalidJson) {
  EXPECT_EQ(json_error("2[\"m\",\"\x80\"]").rfind("invalid JSON payload", 0), 0u);
  EXPECT_EQ(json_error("2[\"m\",\"\\ud83d\"]").rfind("invalid JSON payload", 0), 0u);
}

TEST(PacketDecodeErrors, WellFormedJsonOfTheWrongShapeIsAParseError) {
  // The JSON parses; the packet is still malformed (not ["name", ...]): PARSE_ERROR.
  EXPECT_EQ(decode_error("2/chat,7{\"a\":1}"), "EVENT payload must be a non-empty array");
  EXPECT_EQ(decode_error("2/chat,[\"connect\"]"), "reserved event name");
}

// --- the header alone ---

TEST(PacketHeader, DecodesTypeNamespaceAckIdAndWhereTheJsonStarts) {
  const std::string text = "2/messenger,17[\"new_message\",{bad";
  auto header = decode_header(text);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->type, PacketType::Event);
  EXPECT_EQ(header->nsp, "/messenger");
  ASSERT_TRUE(header->id);
  EXPECT_EQ(*header->id, 17u);
  EXPECT_EQ(text.substr(header->payload_offset), "[\"new_message\",{bad");
  // ...while the whole packet is refused for its JSON.
  EXPECT_EQ(json_error(text).rfind("invalid JSON payload", 0), 0u);
}

TEST(PacketHeader, DefaultsAndBinaryCount) {
  auto plain = decode_header("2[\"a\"");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->nsp, "/");
  EXPECT_FALSE(plain->id);
  EXPECT_EQ(plain->payload_offset, 1u);
  auto binary = decode_header("52-/x,3[");
  ASSERT_TRUE(binary.ok());
  EXPECT_EQ(binary->type, PacketType::BinaryEvent);
  EXPECT_EQ(binary->attachments, 2u);
  EXPECT_EQ(binary->nsp, "/x");
  EXPECT_EQ(*binary->id, 3u);
  auto bare = decode_header("1/x,");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->payload_offset, 4u);
}

TEST(PacketHeader, HeaderErrorsAreParseErrors) {
  for (std::string_view bad : {"", "9", "5x-[", "0/a\"b,", "29007199254740992[\"a\"]"}) {
    auto header = decode_header(bad);
    ASSERT_FALSE(header.ok()) << bad;
    EXPECT_EQ(header.error().code, kParseError) << bad;
    EXPECT_EQ(decode(bad).error().code, kParseError) << bad;
  }
}

// --- placeholders and reassembly ---

TEST(Reassembler, PlainTextPacketPassesThrough) {
  Reassembler r;
  auto out = r.feed("2[\"a\",1]", false);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->has_value());
  EXPECT_EQ((*out)->event, "a");
  EXPECT_FALSE(r.awaiting_attachments());
}

TEST(Reassembler, CollectsAttachmentsThenYields) {
  Reassembler r;
  auto first = r.feed(
      "52-/f,3[\"up\",{\"_placeholder\":true,\"num\":1},"
      "{\"x\":{\"_placeholder\":true,\"num\":0}}]",
      false);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->has_value());
  EXPECT_TRUE(r.awaiting_attachments());
  auto second = r.feed(std::string_view("\x00\x01", 2), true);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value());
  auto third = r.feed("zz", true);
  ASSERT_TRUE(third.ok());
  ASSERT_TRUE(third->has_value());
  Packet& p = **third;
  EXPECT_EQ(p.event, "up");
  EXPECT_EQ(*p.id, 3u);
  ASSERT_EQ(p.buffers.size(), 2u);
  const std::string* a = resolve_placeholder(p.data()[0], p.buffers);
  const std::string* b = resolve_placeholder(p.data()[1]["x"], p.buffers);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, "zz");
  EXPECT_EQ(*b, std::string("\x00\x01", 2));
  EXPECT_FALSE(r.awaiting_attachments());
}

TEST(Reassembler, ZeroAttachmentsCompletesImmediately) {
  Reassembler r;
  auto out = r.feed("50-[\"a\"]", false);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->has_value());
}

TEST(Reassembler, Errors) {
  Reassembler r;
  EXPECT_FALSE(r.feed("bytes", true).ok());  // binary without header
  ASSERT_TRUE(r.feed("51-[\"a\",{\"_placeholder\":true,\"num\":0}]", false).ok());
  EXPECT_FALSE(r.feed("2[\"b\"]", false).ok());  // text while awaiting attachments

  Reassembler out_of_range;
  ASSERT_TRUE(out_of_range.feed("51-[\"a\",{\"_placeholder\":true,\"num\":1}]", false).ok());
  auto result = out_of_range.feed("x", true);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "attachment placeholder out of range");

  Reassembler not_a_number;
  ASSERT_TRUE(not_a_number.feed("51-[\"a\",{\"_placeholder\":true,\"num\":\"0\"}]", false).ok());
  EXPECT_FALSE(not_a_number.feed("x", true).ok());

  Reassembler bad_header;
  EXPECT_FALSE(bad_header.feed("5-[\"a\"]", false).ok());
}

TEST(Placeholder, Recognition) {
  rapidjson::Document d;
  d.Parse("[{\"_placeholder\":true,\"num\":2},{\"_placeholder\":false,\"num\":0},{\"num\":0},3]");
  EXPECT_EQ(placeholder_index(d[0]), std::optional<std::size_t>(2));
  EXPECT_FALSE(placeholder_index(d[1]));
  EXPECT_FALSE(placeholder_index(d[2]));
  EXPECT_FALSE(placeholder_index(d[3]));
  std::vector<std::string> two(2);
  EXPECT_EQ(resolve_placeholder(d[0], two), nullptr);
}

// --- encoding ---

TEST(PacketEncode, Event) {
  EXPECT_EQ(encode_event("/", "hello", ""), "42[\"hello\"]");
  EXPECT_EQ(encode_event("/", "hello", "1,{\"a\":2}"), "42[\"hello\",1,{\"a\":2}]");
  EXPECT_EQ(encode_event("/chat", "m", "\"x\"", 0, 7), "42/chat,7[\"m\",\"x\"]");
  EXPECT_EQ(encode_event("/chat", "m", "{\"_placeholder\":true,\"num\":0}", 1),
            "451-/chat,[\"m\",{\"_placeholder\":true,\"num\":0}]");
  EXPECT_EQ(encode_event("/", "q\"\n", ""), "42[\"q\\\"\\n\"]");
}

TEST(PacketEncode, AckConnectErrorDisconnect) {
  EXPECT_EQ(encode_ack("/", 3, "\"ok\""), "433[\"ok\"]");
  EXPECT_EQ(encode_ack("/a", 0, ""), "43/a,0[]");
  EXPECT_EQ(encode_ack("/a", 5, "{\"_placeholder\":true,\"num\":0}", 1),
            "461-/a,5[{\"_placeholder\":true,\"num\":0}]");
  EXPECT_EQ(encode_connect("/", "abc"), "40{\"sid\":\"abc\"}");
  EXPECT_EQ(encode_connect("/test", "abc"), "40/test,{\"sid\":\"abc\"}");
  EXPECT_EQ(encode_connect_error("/x", "Invalid namespace"),
            "44/x,{\"message\":\"Invalid namespace\"}");
  EXPECT_EQ(encode_connect_error("/", "refused", "{\"reason\":\"r\"}"),
            "44{\"message\":\"refused\",\"data\":{\"reason\":\"r\"}}");
  EXPECT_EQ(encode_disconnect("/"), "41");
  EXPECT_EQ(encode_disconnect("/x"), "41/x,");
}

// A lone surrogate (what the JSON escape "\udc00" decodes to) or any ill-formed byte that got
// past input validation must never reach a text frame: the receiver would drop its connection.
TEST(PacketEncode, WhatGoesOutIsValidUtf8) {
  const std::string lone_surrogate =
      "\"bad\xed\xb0\x80"
      "end\"";
  const std::string repaired =
      "\"bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
      "end\"";
  EXPECT_EQ(encode_event("/m", "message_updated", lone_surrogate),
            "42/m,[\"message_updated\"," + repaired + "]");
  EXPECT_EQ(encode_event("/m", "e\xff", ""), "42/m,[\"e\xef\xbf\xbd\"]");
  EXPECT_EQ(encode_ack("/m", 1, lone_surrogate), "43/m,1[" + repaired + "]");
  EXPECT_EQ(encode_connect_error("/\xff", "Invalid namespace"),
            "44/\xef\xbf\xbd,{\"message\":\"Invalid namespace\"}");
  // Valid text, multi-byte included, is untouched.
  EXPECT_EQ(encode_event("/", "m", "\"h\xc3\xa9\xf0\x9f\x98\x80\""),
            "42[\"m\",\"h\xc3\xa9\xf0\x9f\x98\x80\"]");
}

TEST(PacketEncode, JsonStringEscapesControlCharacters) {
  std::string out;
  append_json_string(out, std::string_view("a\x01\\\t\r\b\f\x1f"
                                           "z",
                                           9));
  EXPECT_EQ(out, "\"a\\u0001\\\\\\t\\r\\b\\f\\u001fz\"");
}

// --- round trips: what we encode, we (and socket.io-parser) decode the same ---

TEST(PacketRoundTrip, EveryType) {
  auto strip = [](const std::string& engineio) { return engineio.substr(1); };

  Packet connect = decode_ok(strip(encode_connect("/n", "sid1")));
  EXPECT_EQ(connect.type, PacketType::Connect);
  EXPECT_EQ(connect.nsp, "/n");
  EXPECT_STREQ(connect.data()["sid"].GetString(), "sid1");

  Packet disconnect = decode_ok(strip(encode_disconnect("/n")));
  EXPECT_EQ(disconnect.type, PacketType::Disconnect);
  EXPECT_EQ(disconnect.nsp, "/n");

  Packet event = decode_ok(strip(encode_event("/n", "e\"v", "[1,2],\"s\"", 0, 42)));
  EXPECT_EQ(event.type, PacketType::Event);
  EXPECT_EQ(event.event, "e\"v");
  EXPECT_EQ(*event.id, 42u);
  EXPECT_EQ(to_json(event.data()), "[[1,2],\"s\"]");

  Packet ack = decode_ok(strip(encode_ack("/", 9, "null")));
  EXPECT_EQ(ack.type, PacketType::Ack);
  EXPECT_EQ(ack.nsp, "/");
  EXPECT_EQ(*ack.id, 9u);
  EXPECT_EQ(to_json(ack.data()), "[null]");

  Packet error = decode_ok(strip(encode_connect_error("/n", "m", "{\"k\":1}")));
  EXPECT_EQ(error.type, PacketType::ConnectError);
  EXPECT_EQ(to_json(error.data()), "{\"message\":\"m\",\"data\":{\"k\":1}}");

  Reassembler r;
  ASSERT_TRUE(
      r.feed(strip(encode_event("/n", "b", "{\"_placeholder\":true,\"num\":0}", 1)), false).ok());
  auto binary = r.feed("payload", true);
  ASSERT_TRUE(binary.ok() && binary->has_value());
  EXPECT_EQ((*binary)->type, PacketType::BinaryEvent);
  EXPECT_EQ(*resolve_placeholder((*binary)->data()[0], (*binary)->buffers), "payload");

  Reassembler r2;
  ASSERT_TRUE(
      r2.feed(strip(encode_ack("/", 1, "{\"_placeholder\":true,\"num\":0}", 1)), false).ok());
  auto binary_ack = r2.feed("p", true);
  ASSERT_TRUE(binary_ack.ok() && binary_ack->has_value());
  EXPECT_EQ((*binary_ack)->type, PacketType::BinaryAck);
}

TEST(PacketLifetime, MovedPacketKeepsViewsValid) {
  std::vector<Packet> packets;
  for (int i = 0; i < 50; ++i) {
    auto r = decode("2[\"event-" + std::to_string(i) + "\",\"arg\"]");
    ASSERT_TRUE(r.ok());
    packets.push_back(std::move(r.value()));  // vector growth moves the packets
  }
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(packets[i].event, "event-" + std::to_string(i));
    EXPECT_STREQ(packets[i].data()[0].GetString(), "arg");
  }
}

}  // namespace
}  // namespace cz::socketio

// A deterministic mutation fuzzer: malformed variations of valid packets must decode to a packet
// or an error, never crash, and whatever decodes must be fully walkable.
namespace cz::socketio {
namespace {

std::size_t walk(const rapidjson::Value& v) {
  std::size_t n = 1;
  if (v.IsArray())
    for (const auto& item : v.GetArray()) n += walk(item);
  if (v.IsObject())
    for (const auto& m : v.GetObject()) n += m.name.GetStringLength() + walk(m.value);
  if (v.IsString()) n += v.GetStringLength();
  return n;
}

TEST(PacketFuzz, MutationsNeverCrash) {
  const std::vector<std::string> seeds = {
      "0",
      "0/admin,{\"token\":\"abc\",\"n\":[1,2.5,-3e10,null,true]}",
      "1/admin,",
      "2[\"hello\",1,{\"a\":[true,{\"b\":\"\\u00e9\\n\"}]}]",
      "2/chat,12[\"msg\",\"hi\"]",
      "3/admin,13[\"bar\",2]",
      "4{\"message\":\"x\",\"data\":{}}",
      "52-/f,3[\"up\",{\"_placeholder\":true,\"num\":1},{\"x\":{\"_placeholder\":true,\"num\":0}}]",
      "61-9[{\"_placeholder\":true,\"num\":0}]",
  };
  const std::string specials = "0123456789-/,[]{}\":\\\x00\xff\x7f ntfu";
  std::uint64_t state = 0x9e3779b97f4a7c15ull;
  auto next = [&] {  // xorshift: deterministic, so a failure reproduces
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  std::size_t decoded = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string s = seeds[next() % seeds.size()];
    const int mutations = 1 + static_cast<int>(next() % 4);
    for (int m = 0; m < mutations && !s.empty(); ++m) {
      const std::size_t pos = next() % (s.size() + 1);
      switch (next() % 5) {
        case 0:  // replace
          if (pos < s.size()) s[pos] = specials[next() % specials.size()];
          break;
        case 1:  // insert
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos),
                   specials[next() % specials.size()]);
          break;
        case 2:  // delete
          if (pos < s.size()) s.erase(pos, 1);
          break;
        case 3:  // truncate
          s.resize(pos);
          break;
        default:  // duplicate a slice
          s.insert(pos, s.substr(next() % (s.size() + 1), next() % 8));
      }
    }
    Reassembler r;
    auto out = r.feed(s, false);
    if (!out.ok()) {
      EXPECT_FALSE(out.error().message.empty());
      continue;
    }
    for (int k = 0; k < 3 && r.awaiting_attachments(); ++k) {
      out = r.feed("bin", true);
      if (!out.ok()) break;
    }
    if (out.ok() && out->has_value()) {
      ++decoded;
      walk((*out)->data());
    }
  }
  EXPECT_GT(decoded, 500u);  // the mutations keep a fair share valid, so both paths run
}

}  // namespace
}  // namespace cz::socketio
