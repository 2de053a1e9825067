// The Redis adapter's message decoder (cluster/msgpack, cluster/broadcast_message): a message as
// it arrives on a `socket.io#...` channel, from one of our nodes, a Node.js node, or anyone who
// can publish on that Redis. Properties: the msgpack reader never reads past its input and skips
// exactly what it reads; a decoded broadcast carries JSON arguments that parse; encoding a
// decoded broadcast and decoding it again gives the same event, namespace and rooms (and the
// same arguments when no binary attachment is involved).
#include <rapidjson/document.h>

#include <string>

#include "cluster/broadcast_message.hpp"
#include "cluster/msgpack.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace cz;
using namespace cz::cluster;

bool args_parse(const std::string& json_args) {
  const std::string text = "[" + json_args + "]";
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  return !doc.HasParseError() && doc.IsArray();
}

// Walks every value header; each payload view lies inside the input.
void walk(std::string_view bytes) {
  msgpack::Reader reader(bytes);
  msgpack::Item item;
  const char* begin = bytes.data();
  const char* end = bytes.data() + bytes.size();
  while (reader.next(item)) {
    if (item.kind == msgpack::Kind::Str || item.kind == msgpack::Kind::Bin ||
        item.kind == msgpack::Kind::Ext) {
      FUZZ_CHECK(item.bytes.empty() ||
                 (item.bytes.data() >= begin && item.bytes.data() + item.bytes.size() <= end));
    }
  }
  msgpack::Reader skipper(bytes);
  while (!skipper.at_end() && skipper.skip()) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view message(reinterpret_cast<const char*>(data), size);
  walk(message);

  auto decoded = decode_broadcast(message);
  if (!decoded) return 0;
  FUZZ_CHECK(args_parse(decoded->payload.json_args));

  socketio::BroadcastPacket packet;
  packet.nsp = decoded->nsp;
  packet.event = decoded->event;
  packet.payload = decoded->payload;
  auto encoded = encode_broadcast(decoded->uid, packet, decoded->target);
  FUZZ_CHECK(encoded.has_value());
  auto again = decode_broadcast(*encoded);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(again->uid == decoded->uid);
  FUZZ_CHECK(again->nsp == decoded->nsp);
  FUZZ_CHECK(again->event == decoded->event);
  FUZZ_CHECK(again->target.rooms == decoded->target.rooms);
  FUZZ_CHECK(again->target.except_rooms == decoded->target.except_rooms);
  FUZZ_CHECK(!again->local_only);
  if (decoded->payload.attachments.empty() &&
      decoded->payload.json_args.find("_placeholder") == std::string::npos) {
    FUZZ_CHECK(again->payload.json_args == decoded->payload.json_args);
  }
  // A map that reads {"_placeholder":true,"num":N} is a placeholder in Socket.IO's JSON whether a
  // bin made it or the sender wrote it (Node's clients resolve both), so when the message holds
  // such maps besides its bins, encoding again makes a bin of each: only the plain case compares.
  std::size_t placeholders = 0;
  for (auto at = decoded->payload.json_args.find("\"_placeholder\""); at != std::string::npos;
       at = decoded->payload.json_args.find("\"_placeholder\"", at + 1))
    ++placeholders;
  if (placeholders == decoded->payload.attachments.size())
    FUZZ_CHECK(again->payload.attachments.size() == decoded->payload.attachments.size());
  (void)broadcast_channel(decoded->nsp, decoded->target);
  return 0;
}
