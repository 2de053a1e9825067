#pragma once
// Socket.IO v5 packet codec: pure functions, bytes in, packets out.
//
// Wire format of a text packet (after the Engine.IO '4' message prefix):
//   <type>[<attachments>-][<nsp>,][<ack id>][<JSON>]
// e.g. `2["hello",1]`, `0/admin,{"token":"x"}`, `3/admin,13["bar"]`,
//      `51-["file",{"_placeholder":true,"num":0}]` followed by one binary message.
//
// Decoding copies the JSON part once into a buffer the packet owns and parses it there in situ,
// so strings in the DOM point into that buffer and are never copied again.
#include <rapidjson/document.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace cz::socketio {

enum class PacketType : std::uint8_t {
  Connect = 0,
  Disconnect = 1,
  Event = 2,
  Ack = 3,
  ConnectError = 4,
  BinaryEvent = 5,
  BinaryAck = 6,
};

bool is_binary_type(PacketType type);

struct DecodeLimits {
  std::size_t max_attachments = 10;
  std::size_t max_nsp_length = 256;
  // Deepest nesting of arrays/objects accepted; keeps every recursive walk of the DOM (writers,
  // copies) far from the stack limit.
  std::size_t max_json_depth = 64;
};

// Largest ack id accepted: JavaScript's Number.MAX_SAFE_INTEGER, so ids round-trip to JS clients.
inline constexpr std::uint64_t kMaxAckId = (std::uint64_t{1} << 53) - 1;

namespace detail {
struct JsonArena;
struct JsonArenaDeleter {
  void operator()(JsonArena* arena) const;
};
}  // namespace detail

// One decoded packet. Move-only; owns the JSON text and its DOM.
class Packet {
 public:
  Packet();
  Packet(Packet&&) noexcept;
  Packet& operator=(Packet&&) noexcept;
  ~Packet();

  PacketType type = PacketType::Connect;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;   // ack id
  std::size_t attachments = 0;       // number announced by a BINARY_* header
  std::vector<std::string> buffers;  // binary attachments, filled by the Reassembler
  // EVENT/BINARY_EVENT: the event name (points into the packet's own buffer).
  std::string_view event;

  // Whether the packet carried a JSON part.
  bool has_data() const;
  // The JSON part: CONNECT auth object, CONNECT_ERROR object/string; for EVENT the arguments
  // after the event name, for ACK the arguments (an empty array when absent). Null when absent.
  const rapidjson::Value& data() const;
  rapidjson::Value& data();

  bool complete() const { return buffers.size() == attachments; }

 private:
  friend Result<Packet> decode(std::string_view text, const DecodeLimits& limits);
  std::unique_ptr<detail::JsonArena, detail::JsonArenaDeleter> arena_;
};

// What precedes the JSON part of a text packet: `<type>[<attachments>-][<nsp>,][<ack id>]`.
struct PacketHeader {
  PacketType type = PacketType::Connect;
  std::string_view nsp = "/";  // points into the decoded text
  std::optional<std::uint64_t> id;
  std::size_t attachments = 0;
  std::size_t payload_offset = 0;  // where the JSON part starts (== size when there is none)
};

// Error codes of decode(): the header or the packet's shape is wrong (PARSE_ERROR), or the
// header is well-formed but the JSON part is not JSON (INVALID_JSON: syntax, encoding, raw NUL,
// nesting too deep). Either way the packet as a whole is malformed.
inline constexpr const char* kParseError = "PARSE_ERROR";
inline constexpr const char* kInvalidJson = "INVALID_JSON";

// Decodes the header alone (no JSON is looked at). Errors have code PARSE_ERROR. Lets a caller
// that got an error from decode() learn whom the malformed packet was for.
Result<PacketHeader> decode_header(std::string_view text, const DecodeLimits& limits = {});

// Decodes one text packet (without the Engine.IO '4'). Never throws; malformed input gives an
// Error with code PARSE_ERROR or INVALID_JSON (see above) and a message that says what is wrong.
Result<Packet> decode(std::string_view text, const DecodeLimits& limits = {});

// The index N of an attachment placeholder {"_placeholder":true,"num":N}, if `value` is one.
std::optional<std::size_t> placeholder_index(const rapidjson::Value& value);
// The attachment a placeholder refers to, or null when `value` is not a valid placeholder.
const std::string* resolve_placeholder(const rapidjson::Value& value,
                                       std::span<const std::string> attachments);

// Collects the binary attachments that follow a BINARY_EVENT/BINARY_ACK header, one Engine.IO
// message at a time, and yields complete packets.
class Reassembler {
 public:
  explicit Reassembler(DecodeLimits limits = {}) : limits_(limits) {}

  // Feeds one Engine.IO message. Returns the completed packet, nullopt while attachments are
  // still awaited, or an error (binary data out of place, text while awaiting attachments,
  // placeholders that point nowhere, or a malformed packet).
  Result<std::optional<Packet>> feed(std::string_view data, bool binary);
  bool awaiting_attachments() const { return pending_.has_value(); }
  const DecodeLimits& limits() const { return limits_; }

 private:
  Result<std::optional<Packet>> finish();
  DecodeLimits limits_;
  std::optional<Packet> pending_;
};

// --- encoding: every function returns a complete Engine.IO text message, starting with '4' ---

// Appends `s` as a JSON string literal (quoted, escaped).
void append_json_string(std::string& out, std::string_view s);

// EVENT or BINARY_EVENT (when attachments > 0): `42/nsp,ID["event",<json_args>]`.
std::string encode_event(std::string_view nsp, std::string_view event, std::string_view json_args,
                         std::size_t attachments = 0, std::optional<std::uint64_t> id = {});
// ACK or BINARY_ACK: `43/nsp,ID[<json_args>]`.
std::string encode_ack(std::string_view nsp, std::uint64_t id, std::string_view json_args,
                       std::size_t attachments = 0);
// CONNECT reply: `40/nsp,{"sid":"..."}`.
std::string encode_connect(std::string_view nsp, std::string_view sid);
// CONNECT_ERROR: `44/nsp,{"message":"...","data":<data_json>}` (no data field when empty).
std::string encode_connect_error(std::string_view nsp, std::string_view message,
                                 std::string_view data_json = {});
// DISCONNECT: `41/nsp,`.
std::string encode_disconnect(std::string_view nsp);

}  // namespace cz::socketio
