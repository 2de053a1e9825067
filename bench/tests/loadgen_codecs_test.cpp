// The load generator's pure codecs: if these are wrong, every benchmark number is wrong.
#include <gtest/gtest.h>
#include <unistd.h>

#include "base64.hpp"
#include "jwt.hpp"
#include "latency.hpp"
#include "report.hpp"
#include "server_probe.hpp"
#include "sio_packet.hpp"
#include "ws_frame.hpp"

namespace cz::loadgen {
namespace {

TEST(Base64, Rfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Jwt, Hs256TokenMatchesAnIndependentImplementation) {
  // Computed with Python's hmac/base64 and checked with Node's jsonwebtoken.verify.
  EXPECT_EQ(mint_hs256_token("secret", "u1", "BUYER", 1700000000, 3600),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJzdWIiOiJ1MSIsInJvbGUiOiJCVVlFUiIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwfQ."
            "WrmV4wKazWQ5kTeoap5lUDztcsWO7PiD7U0ZHHaFex0");
}

TEST(WsFrame, AcceptKeyOfRfc6455Example) {
  EXPECT_EQ(ws_accept_for_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WsFrame, ParsesServerFramesOfEachLengthForm) {
  for (const std::size_t size : {0u, 5u, 125u, 126u, 65535u, 65536u}) {
    std::string wire;
    wire.push_back(static_cast<char>(0x81));
    if (size < 126) {
      wire.push_back(static_cast<char>(size));
    } else if (size <= 0xFFFF) {
      wire.push_back(126);
      wire.push_back(static_cast<char>(size >> 8));
      wire.push_back(static_cast<char>(size));
    } else {
      wire.push_back(127);
      for (int shift = 56; shift >= 0; shift -= 8) wire.push_back(static_cast<char>(size >> shift));
    }
    const std::size_t header = wire.size();
    wire.append(size, 'a');
    const auto partial = parse_ws_frame(std::string_view(wire).substr(0, wire.size() - 1), 1 << 20);
    EXPECT_EQ(partial.status, WsFrameView::Status::need_more);
    const auto frame = parse_ws_frame(wire, 1 << 20);
    ASSERT_EQ(frame.status, WsFrameView::Status::frame) << size;
    EXPECT_TRUE(frame.fin);
    EXPECT_EQ(frame.opcode, WsOpcode::text);
    EXPECT_EQ(frame.header_size, header);
    EXPECT_EQ(frame.payload_size, size);
  }
}

TEST(WsFrame, RefusesReservedBitsAndOversizedFrames) {
  EXPECT_EQ(parse_ws_frame(std::string("\xC1\x00", 2), 100).status, WsFrameView::Status::error);
  EXPECT_EQ(parse_ws_frame(std::string("\x81\x7E\x01\x00", 4), 100).status,
            WsFrameView::Status::error);
}

TEST(WsFrame, ClientFramesAreMaskedAndRoundTrip) {
  for (const std::size_t size : {3u, 200u, 70000u}) {
    const std::string payload(size, 'z');
    std::string wire;
    append_ws_frame(wire, WsOpcode::text, payload, 0x11223344);
    const auto frame = parse_ws_frame(wire, 1 << 20);
    ASSERT_EQ(frame.status, WsFrameView::Status::frame);
    EXPECT_TRUE(frame.masked);
    EXPECT_EQ(frame.mask, 0x11223344u);
    std::string body = wire.substr(frame.header_size, frame.payload_size);
    EXPECT_NE(body, payload);
    apply_ws_mask(body.data(), body.size(), frame.mask);
    EXPECT_EQ(body, payload);
  }
}

TEST(SioPacket, ParsesEventsAcksAndConnects) {
  auto p = parse_sio_packet(R"(2/messenger,17["new_message",{"a":1}])");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, SioType::event);
  EXPECT_EQ(p->nsp, "/messenger");
  EXPECT_EQ(p->ack_id, 17u);
  EXPECT_EQ(p->data, R"(["new_message",{"a":1}])");

  p = parse_sio_packet(R"(3/messenger,0[{"_id":"x"}])");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, SioType::ack);
  EXPECT_EQ(p->ack_id, 0u);

  p = parse_sio_packet(R"(0/messenger,{"sid":"abc"})");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, SioType::connect);
  EXPECT_FALSE(p->ack_id);
  EXPECT_EQ(p->data, R"({"sid":"abc"})");

  p = parse_sio_packet(R"(2["hello"])");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->nsp, "/");
  EXPECT_EQ(p->data, R"(["hello"])");

  p = parse_sio_packet("1/messenger");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, SioType::disconnect);
  EXPECT_EQ(p->nsp, "/messenger");

  p = parse_sio_packet(R"(51-/x,["b",{"_placeholder":true,"num":0}])");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type, SioType::binary_event);
  EXPECT_EQ(p->nsp, "/x");

  EXPECT_FALSE(parse_sio_packet(""));
  EXPECT_FALSE(parse_sio_packet("9"));
}

TEST(SioPacket, EncodesWithNamespaceAndAckId) {
  std::string out;
  append_sio_packet(out, SioType::connect, "/messenger", 0, R"({"token":"t"})");
  EXPECT_EQ(out, R"(40/messenger,{"token":"t"})");
  out.clear();
  append_sio_packet(out, SioType::event, "/", 3, R"(["e"])");
  EXPECT_EQ(out, R"(423["e"])");
}

TEST(Latency, NearestRankPercentiles) {
  LatencyRecorder recorder;
  for (int i = 1; i <= 100; ++i) recorder.add_ns(i * 1000);  // 1..100 us
  const auto s = recorder.summarize();
  EXPECT_EQ(s.count, 100u);
  EXPECT_DOUBLE_EQ(s.p50_us, 50);
  EXPECT_DOUBLE_EQ(s.p90_us, 90);
  EXPECT_DOUBLE_EQ(s.p99_us, 99);
  EXPECT_DOUBLE_EQ(s.max_us, 100);
  EXPECT_DOUBLE_EQ(s.mean_us, 50.5);
  EXPECT_EQ(LatencyRecorder{}.summarize().count, 0u);
}

TEST(Report, JsonLineKeepsOrderAndEscapes) {
  Report r;
  r.set("scenario", std::string("pairs"));
  r.set("sent", std::int64_t{3});
  r.set("ratio", 0.5);
  r.set("note", std::string("a\"b"));
  r.set("none", std::monostate{});
  r.set("sent", std::int64_t{4});  // replaces, keeps position
  EXPECT_EQ(r.json_line(),
            R"({"scenario":"pairs","sent":4,"ratio":0.500,"note":"a\"b","none":null})");
}

// A cluster's nodes are summed: the same process twice counts twice, and is named twice.
TEST(ServerProbe, SumsSeveralProcesses) {
  const ServerProbe one({getpid()});
  const ServerProbe twice({getpid(), getpid()});
  const auto a = one.sample();
  const auto b = twice.sample();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->threads, 2 * a->threads);
  EXPECT_GE(b->rss_kib, a->rss_kib);
  EXPECT_EQ(twice.name(), one.name() + "+" + one.name());
  EXPECT_FALSE(ServerProbe({}).enabled());
  EXPECT_FALSE(ServerProbe({}).sample());
}

}  // namespace
}  // namespace cz::loadgen
