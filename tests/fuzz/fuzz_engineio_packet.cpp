// The Engine.IO packet and long-polling payload decoder (engineio/packet, util/base64).
// Properties: a decoded payload, encoded again, decodes to the same packets; base64 decodes what
// it encodes, and what it decodes re-encodes to the same bytes.
#include <string>
#include <vector>

#include "engineio/packet.hpp"
#include "fuzz_check.hpp"
#include "util/base64.hpp"

namespace {

using namespace cz::engineio;

bool same(const std::vector<Packet>& a, const std::vector<Packet>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].type != b[i].type || a[i].binary != b[i].binary || a[i].data != b[i].data)
      return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);

  for (const bool binary : {false, true}) {
    auto packet = decode_packet(raw, binary);
    if (!packet) continue;
    FUZZ_CHECK(packet->data.size() <= raw.size());
    if (!binary) FUZZ_CHECK(encode_packet(packet->type, packet->data) == raw);
  }

  auto packets = decode_payload(raw, 1 << 20);
  if (packets) {
    FUZZ_CHECK(!packets->empty());
    std::vector<OutgoingPacket> outgoing;
    for (const auto& p : *packets) {
      outgoing.push_back(
          {cz::make_buffer(p.binary ? p.data : encode_packet(p.type, p.data)), p.binary});
    }
    const std::string body = encode_payload(outgoing);
    auto again = decode_payload(body, 1 << 21);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(same(*packets, *again));
  }
  FUZZ_CHECK(!decode_payload(raw, raw.empty() ? 0 : raw.size() - 1).ok() || raw.empty());

  FUZZ_CHECK(cz::base64::decode(cz::base64::encode(raw)) == std::string(raw));
  if (auto bytes = cz::base64::decode(raw)) {
    auto twice = cz::base64::decode(cz::base64::encode(*bytes));
    FUZZ_CHECK(twice && *twice == *bytes);
  }
  return 0;
}
