// The Socket.IO packet decoder with binary attachments (socketio/packet, socketio/json_util):
// a sequence of Engine.IO messages, text or binary, fed to a Reassembler as a connection does.
// Properties: a completed packet has all its attachments and only placeholders that resolve;
// decode() and decode_header() agree; an event or ack, encoded again from its decoded parts,
// decodes to the same packet; a deep copy of the arguments serializes like the original.
#include <fuzzer/FuzzedDataProvider.h>
#include <spdlog/spdlog.h>

#include <string>

#include "fuzz_check.hpp"
#include "socketio/json_util.hpp"
#include "socketio/packet.hpp"
#include "util/utf8.hpp"

namespace {

using namespace cz::socketio;

bool placeholders_resolve(const rapidjson::Value& v, const Packet& packet) {
  if (placeholder_index(v)) return resolve_placeholder(v, packet.buffers) != nullptr;
  if (v.IsArray()) {
    for (const auto& item : v.GetArray())
      if (!placeholders_resolve(item, packet)) return false;
  } else if (v.IsObject()) {
    for (const auto& member : v.GetObject())
      if (!placeholders_resolve(member.value, packet)) return false;
  }
  return true;
}

bool reparses_to_itself(const std::string& args) {
  const std::string text = "[" + args + "]";
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) return false;
  std::string again;
  append_json(again, doc);
  return again == text;
}

// Encodes `packet` again (events and acks) and checks that it decodes to the same thing.
void check_reencoding(const Packet& packet, const DecodeLimits& limits) {
  const std::string args = json_args_of(packet.data());
  // Outgoing text is repaired to valid UTF-8 (a JSON escape such as \udc00 decodes to invalid
  // UTF-8), which changes it: only valid text must survive unchanged.
  if (!cz::utf8::is_valid(args) || !cz::utf8::is_valid(packet.event)) return;
  std::string text;
  switch (packet.type) {
    case PacketType::Event:
    case PacketType::BinaryEvent:
      text = encode_event(packet.nsp, packet.event, args, packet.attachments, packet.id);
      break;
    case PacketType::Ack:
    case PacketType::BinaryAck:
      text = encode_ack(packet.nsp, *packet.id, args, packet.attachments);
      break;
    default:
      return;
  }
  FUZZ_CHECK(!text.empty() && text[0] == '4');
  auto again = decode(std::string_view(text).substr(1), limits);
  FUZZ_CHECK(again.ok());
  // A BINARY_EVENT or BINARY_ACK of no attachments ("50-[...]", which socket.io-parser accepts
  // too) goes out as the plain EVENT or ACK it amounts to.
  PacketType expected = packet.type;
  if (packet.attachments == 0 && expected == PacketType::BinaryEvent) expected = PacketType::Event;
  if (packet.attachments == 0 && expected == PacketType::BinaryAck) expected = PacketType::Ack;
  FUZZ_CHECK(again->type == expected);
  FUZZ_CHECK(again->nsp == packet.nsp);
  FUZZ_CHECK(again->id == packet.id);
  FUZZ_CHECK(again->attachments == packet.attachments);
  FUZZ_CHECK(again->event == packet.event);
  // RapidJSON's default number parsing (kept: its full-precision mode overflows in-situ buffers
  // in 1.1.0) may miss the nearest double by a bit, so a long mantissa can come back as its
  // neighbour; only arguments that are a fixed point of parse-and-write must come back as sent.
  if (reparses_to_itself(args)) FUZZ_CHECK(json_args_of(again->data()) == args);
}

void check_packet(const Packet& packet, const DecodeLimits& limits) {
  FUZZ_CHECK(packet.complete());
  FUZZ_CHECK(packet.attachments <= limits.max_attachments);
  FUZZ_CHECK(!packet.nsp.empty() && packet.nsp[0] == '/');
  FUZZ_CHECK(packet.nsp.size() <= limits.max_nsp_length);
  if (packet.id) FUZZ_CHECK(*packet.id <= kMaxAckId);
  if (is_binary_type(packet.type)) FUZZ_CHECK(placeholders_resolve(packet.data(), packet));
  if (packet.type == PacketType::Event || packet.type == PacketType::BinaryEvent) {
    FUZZ_CHECK(packet.data().IsArray());
  }
  if (packet.type == PacketType::Ack || packet.type == PacketType::BinaryAck) {
    FUZZ_CHECK(packet.id.has_value());
    FUZZ_CHECK(packet.data().IsArray());
  }
  // What handlers do with arguments that outlive the packet: a deep copy, serialized.
  rapidjson::Document copy;
  deep_copy(packet.data(), copy, copy.GetAllocator());
  std::string original_json, copy_json;
  append_json(original_json, packet.data());
  append_json(copy_json, copy);
  FUZZ_CHECK(original_json == copy_json);
  check_reencoding(packet, limits);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  DecodeLimits limits;
  limits.max_attachments = 4;
  limits.max_json_depth = 16;  // small, so that the fuzzer reaches it
  Reassembler reassembler(limits);
  while (input.remaining_bytes() > 0) {
    const bool binary = input.ConsumeBool();
    const std::string message = input.ConsumeRandomLengthString(4096);
    if (!binary) {
      auto decoded = decode(message, limits);
      auto header = decode_header(message, limits);
      if (decoded) {
        FUZZ_CHECK(header.ok());
        FUZZ_CHECK(header->type == decoded->type && header->id == decoded->id);
        FUZZ_CHECK(header->attachments == decoded->attachments);
      }
      if (!header) FUZZ_CHECK(!decoded.ok());
    }
    auto fed = reassembler.feed(message, binary);
    if (!fed) {
      const auto& code = fed.error().code;
      FUZZ_CHECK(code == kParseError || code == kInvalidJson);
      continue;
    }
    if (*fed) check_packet(**fed, limits);
  }
  return 0;
}
