#include "socketio/packet.hpp"

#include <rapidjson/error/en.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <utility>

#include "util/utf8.hpp"

namespace cz::socketio {

namespace detail {

// The memory behind one packet's JSON: the text (parsed in place) and the DOM's allocator, whose
// first 2 KiB live inside the arena so that a typical packet costs no allocation beyond the
// arena itself (and arenas are recycled per thread, see below).
struct JsonArena {
  static constexpr std::size_t kPoolBytes = 2048;
  static constexpr std::size_t kChunkBytes = 8192;
  static constexpr std::size_t kKeptTextCapacity = 64 * 1024;

  alignas(16) char pool[kPoolBytes];
  rapidjson::MemoryPoolAllocator<> allocator{pool, kPoolBytes, kChunkBytes};
  rapidjson::Document doc{&allocator, 256};
  std::string text;
  bool has_data = false;

  void reset() {
    doc.SetNull();
    allocator.Clear();
    if (text.capacity() > kKeptTextCapacity) std::string().swap(text);
    text.clear();
    has_data = false;
  }
};

namespace {
// One spare arena per thread: a shard decodes packets one after another, so a single spare
// turns the per-packet arena allocation into a reuse.
struct SpareArena {
  JsonArena* arena = nullptr;
  ~SpareArena() { delete arena; }
};
thread_local SpareArena spare_arena;

std::unique_ptr<JsonArena, JsonArenaDeleter> take_arena() {
  JsonArena* arena = spare_arena.arena;
  spare_arena.arena = nullptr;
  if (!arena) arena = new JsonArena;
  return std::unique_ptr<JsonArena, JsonArenaDeleter>(arena);
}
}  // namespace

void JsonArenaDeleter::operator()(JsonArena* arena) const {
  if (!spare_arena.arena) {
    arena->reset();
    spare_arena.arena = arena;
  } else {
    delete arena;
  }
}

}  // namespace detail

namespace {

Error parse_error(std::string message) {
  return Error{kParseError, std::move(message)};
}

Error json_error(std::string message) {
  return Error{kInvalidJson, std::move(message)};
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

constexpr std::array<std::string_view, 6> kReservedEvents = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};

// One cheap pass over the JSON text (the compiler vectorizes it) that lets decode() skip work:
// with no more opening brackets than the depth limit the exact depth check is unnecessary, and
// pure ASCII needs no UTF-8 validation.
struct JsonScan {
  std::size_t opening_brackets = 0;
  bool ascii = true;
  bool has_nul = false;
};

// High bit set in each byte of `v` that is zero (exact, no false positives).
inline std::uint64_t zero_bytes(std::uint64_t v) {
  constexpr std::uint64_t kLow7 = 0x7f7f7f7f7f7f7f7full;
  return ~(((v & kLow7) + kLow7) | v | kLow7);
}

JsonScan scan_json(std::string_view json) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  JsonScan scan;
  std::uint64_t any_bits = 0;
  std::uint64_t nul = 0;
  std::size_t i = 0;
  // Eight bytes at a time: '[' (0x5b) and '{' (0x7b) both read 0x7b once bit 5 is set.
  for (; i + 8 <= json.size(); i += 8) {
    std::uint64_t v;
    std::memcpy(&v, json.data() + i, 8);
    any_bits |= v;
    nul |= zero_bytes(v);
    // Matched bytes hold 0x80; >> 7 makes them 1, and the multiply sums the eight lanes into the
    // top byte (a portable popcount for at most eight bits, without needing -mpopcnt).
    const std::uint64_t matches = zero_bytes((v | (0x20 * kOnes)) ^ (0x7b * kOnes)) >> 7;
    scan.opening_brackets += static_cast<std::size_t>((matches * kOnes) >> 56);
  }
  for (; i < json.size(); ++i) {
    const auto c = static_cast<unsigned char>(json[i]);
    any_bits |= c;
    nul |= (c == 0);
    scan.opening_brackets += static_cast<std::size_t>((c | 0x20) == 0x7b);
  }
  scan.ascii = (any_bits & (0x80 * kOnes)) == 0;
  scan.has_nul = nul != 0;
  return scan;
}

// Deepest nesting of arrays/objects in `json`, stopping early once it exceeds `limit`.
// Brackets inside strings do not count.
bool json_depth_exceeds(std::string_view json, std::size_t limit) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

std::optional<Error> validate_payload(Packet& packet, bool has_data) {
  const rapidjson::Value& data = std::as_const(packet).data();
  switch (packet.type) {
    case PacketType::Connect:
      if (has_data && !data.IsObject()) return parse_error("CONNECT payload must be an object");
      return std::nullopt;
    case PacketType::Disconnect:
      if (has_data) return parse_error("DISCONNECT must not carry a payload");
      return std::nullopt;
    case PacketType::ConnectError:
      if (has_data && !data.IsObject() && !data.IsString())
        return parse_error("CONNECT_ERROR payload must be an object or a string");
      return std::nullopt;
    case PacketType::Event:
    case PacketType::BinaryEvent: {
      if (!has_data || !data.IsArray() || data.Empty())
        return parse_error("EVENT payload must be a non-empty array");
      const rapidjson::Value& name = data[0];
      if (!name.IsString()) return parse_error("event name must be a string");
      packet.event = std::string_view(name.GetString(), name.GetStringLength());
      if (std::find(kReservedEvents.begin(), kReservedEvents.end(), packet.event) !=
          kReservedEvents.end())
        return parse_error("reserved event name");
      // The name is a view into the packet's text, so dropping its DOM node keeps it valid.
      packet.data().Erase(packet.data().Begin());
      return std::nullopt;
    }
    case PacketType::Ack:
    case PacketType::BinaryAck:
      if (!packet.id) return parse_error("ACK without an ack id");
      if (!has_data) {
        packet.data().SetArray();
      } else if (!data.IsArray()) {
        return parse_error("ACK payload must be an array");
      }
      return std::nullopt;
  }
  return parse_error("unknown packet type");
}

// Every placeholder must name a received attachment (as socket.io-parser requires).
bool placeholders_valid(const rapidjson::Value& value, std::size_t attachments) {
  if (value.IsArray()) {
    for (const auto& item : value.GetArray())
      if (!placeholders_valid(item, attachments)) return false;
    return true;
  }
  if (!value.IsObject()) return true;
  auto marker = value.FindMember("_placeholder");
  if (marker != value.MemberEnd() && marker->value.IsTrue()) {
    auto index = placeholder_index(value);
    return index && *index < attachments;
  }
  for (const auto& member : value.GetObject())
    if (!placeholders_valid(member.value, attachments)) return false;
  return true;
}

void append_uint(std::string& out, std::uint64_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  (void)ec;  // 24 chars always hold a uint64
  out.append(digits, end);
}

void append_header(std::string& out, PacketType type, std::size_t attachments, std::string_view nsp,
                   std::optional<std::uint64_t> id) {
  out.push_back('4');  // Engine.IO "message"
  out.push_back(static_cast<char>('0' + static_cast<int>(type)));
  if (is_binary_type(type)) {
    append_uint(out, attachments);
    out.push_back('-');
  }
  if (!nsp.empty() && nsp != "/") {
    out.append(nsp);
    out.push_back(',');
  }
  if (id) append_uint(out, *id);
}

}  // namespace

bool is_binary_type(PacketType type) {
  return type == PacketType::BinaryEvent || type == PacketType::BinaryAck;
}

// --- Packet ---

Packet::Packet() = default;
Packet::Packet(Packet&&) noexcept = default;
Packet& Packet::operator=(Packet&&) noexcept = default;
Packet::~Packet() = default;

bool Packet::has_data() const {
  return arena_ && arena_->has_data;
}

const rapidjson::Value& Packet::data() const {
  static const rapidjson::Value kNull;
  return arena_ ? static_cast<const rapidjson::Value&>(arena_->doc) : kNull;
}

rapidjson::Value& Packet::data() {
  if (!arena_) arena_ = detail::take_arena();
  return arena_->doc;
}

// --- decoding ---

Result<PacketHeader> decode_header(std::string_view s, const DecodeLimits& limits) {
  if (s.empty()) return parse_error("empty packet");
  if (s[0] < '0' || s[0] > '6') return parse_error("unknown packet type");
  PacketHeader header;
  header.type = static_cast<PacketType>(s[0] - '0');
  std::size_t i = 1;

  if (is_binary_type(header.type)) {
    std::size_t count = 0;
    const std::size_t start = i;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      count = count * 10 + static_cast<std::size_t>(s[i] - '0');
      if (count > limits.max_attachments) return parse_error("too many attachments");
    }
    if (i == start || i >= s.size() || s[i] != '-') return parse_error("invalid attachments count");
    header.attachments = count;
    ++i;
  }

  if (i < s.size() && s[i] == '/') {
    const std::size_t comma = s.find(',', i);
    const std::size_t end = comma == std::string_view::npos ? s.size() : comma;
    std::string_view nsp = s.substr(i, end - i);
    if (nsp.size() > limits.max_nsp_length) return parse_error("namespace name too long");
    for (char c : nsp)
      if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\')
        return parse_error("invalid namespace name");
    // The name goes back out in text frames (CONNECT, CONNECT_ERROR, every event): it must be
    // UTF-8, or the answer is repaired into another name (and logged as an error each time).
    if (!utf8::is_valid(nsp)) return parse_error("invalid namespace name");
    header.nsp = nsp;
    i = comma == std::string_view::npos ? s.size() : comma + 1;
  }

  if (i < s.size() && is_digit(s[i])) {
    std::uint64_t id = 0;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      id = id * 10 + static_cast<std::uint64_t>(s[i] - '0');
      if (id > kMaxAckId) return parse_error("invalid ack id");
    }
    header.id = id;
  }
  header.payload_offset = i;
  return header;
}

Result<Packet> decode(std::string_view s, const DecodeLimits& limits) {
  auto header = decode_header(s, limits);
  if (!header) return header.error();
  Packet packet;
  packet.type = header->type;
  packet.attachments = header->attachments;
  if (header->nsp != "/") packet.nsp.assign(header->nsp);
  packet.id = header->id;
  const std::size_t i = header->payload_offset;

  const bool has_data = i < s.size();
  if (has_data) {
    std::string_view json = s.substr(i);
    const JsonScan scan = scan_json(json);
    if (scan.opening_brackets > limits.max_json_depth &&
        json_depth_exceeds(json, limits.max_json_depth))
      return json_error("JSON payload nested too deeply");
    // The in-situ parser stops at a NUL byte; JSON never contains a raw one, so refuse it rather
    // than silently ignore what follows.
    if (scan.has_nul) return json_error("invalid JSON payload: raw NUL byte");
    auto& arena = packet.arena_;
    arena = detail::take_arena();
    arena->text.assign(json);
    // RapidJSON 1.1.0's UTF-8 validation takes all the continuation bytes a lead byte announces
    // before it checks them: a text ending in "\xf4" reads up to 3 bytes past the terminator.
    // Three NULs more keep those reads inside the buffer (and they are not continuation bytes).
    arena->text.append(3, '\0');
    // The depth check above bounds the recursive parser's stack use (recursive parsing is
    // markedly faster than RapidJSON's iterative mode). Only non-ASCII text needs validating.
    if (scan.ascii) {
      arena->doc.ParseInsitu<rapidjson::kParseDefaultFlags>(arena->text.data());
    } else {
      arena->doc.ParseInsitu<rapidjson::kParseValidateEncodingFlag>(arena->text.data());
    }
    if (arena->doc.HasParseError()) {
      return json_error(std::string("invalid JSON payload: ") +
                        rapidjson::GetParseError_En(arena->doc.GetParseError()) + " (offset " +
                        std::to_string(arena->doc.GetErrorOffset()) + ")");
    }
    arena->has_data = true;
  }
  if (auto error = validate_payload(packet, has_data)) return *error;
  return packet;
}

std::optional<std::size_t> placeholder_index(const rapidjson::Value& value) {
  if (!value.IsObject()) return std::nullopt;
  auto marker = value.FindMember("_placeholder");
  if (marker == value.MemberEnd() || !marker->value.IsTrue()) return std::nullopt;
  auto num = value.FindMember("num");
  if (num == value.MemberEnd() || !num->value.IsUint64()) return std::nullopt;
  return static_cast<std::size_t>(num->value.GetUint64());
}

const std::string* resolve_placeholder(const rapidjson::Value& value,
                                       std::span<const std::string> attachments) {
  auto index = placeholder_index(value);
  if (!index || *index >= attachments.size()) return nullptr;
  return &attachments[*index];
}

// --- reassembly ---

Result<std::optional<Packet>> Reassembler::feed(std::string_view data, bool binary) {
  if (binary) {
    if (!pending_) return parse_error("binary message without a BINARY packet header");
    pending_->buffers.emplace_back(data);
    if (!pending_->complete()) return std::optional<Packet>();
    return finish();
  }
  if (pending_) return parse_error("text packet while awaiting binary attachments");
  auto decoded = decode(data, limits_);
  if (!decoded) return decoded.error();
  pending_.emplace(std::move(decoded.value()));
  if (is_binary_type(pending_->type) && !pending_->complete()) return std::optional<Packet>();
  return finish();
}

Result<std::optional<Packet>> Reassembler::finish() {
  std::optional<Packet> done = std::move(pending_);
  pending_.reset();
  if (is_binary_type(done->type) && !placeholders_valid(done->data(), done->buffers.size()))
    return parse_error("attachment placeholder out of range");
  return done;
}

// --- encoding ---

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;  // start of the current run of characters that need no escaping
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    out.push_back('\\');
    switch (c) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '\n':
        out.push_back('n');
        break;
      case '\r':
        out.push_back('r');
        break;
      case '\t':
        out.push_back('t');
        break;
      case '\b':
        out.push_back('b');
        break;
      case '\f':
        out.push_back('f');
        break;
      default:
        out.append("u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

namespace {

// Every packet goes out as a WebSocket text frame (or a polling body), which must be valid UTF-8:
// a receiver that gets anything else drops its connection. Input validation keeps ill-formed
// text out of the store; this is the last line, so that a gap there costs a replacement
// character and a log line instead of knocking every receiver off.
std::string valid_text(std::string out) {
  if (utf8::repair(out)) spdlog::error("socketio: outgoing packet was not valid UTF-8, repaired");
  return out;
}

}  // namespace

std::string encode_event(std::string_view nsp, std::string_view event, std::string_view json_args,
                         std::size_t attachments, std::optional<std::uint64_t> id) {
  std::string out;
  out.reserve(32 + nsp.size() + event.size() + json_args.size());
  append_header(out, attachments ? PacketType::BinaryEvent : PacketType::Event, attachments, nsp,
                id);
  out.push_back('[');
  append_json_string(out, event);
  if (!json_args.empty()) {
    out.push_back(',');
    out.append(json_args);
  }
  out.push_back(']');
  return valid_text(std::move(out));
}

std::string encode_ack(std::string_view nsp, std::uint64_t id, std::string_view json_args,
                       std::size_t attachments) {
  std::string out;
  out.reserve(32 + nsp.size() + json_args.size());
  append_header(out, attachments ? PacketType::BinaryAck : PacketType::Ack, attachments, nsp, id);
  out.push_back('[');
  out.append(json_args);
  out.push_back(']');
  return valid_text(std::move(out));
}

std::string encode_connect(std::string_view nsp, std::string_view sid) {
  std::string out;
  out.reserve(24 + nsp.size() + sid.size());
  append_header(out, PacketType::Connect, 0, nsp, std::nullopt);
  out.append("{\"sid\":");
  append_json_string(out, sid);
  out.push_back('}');
  return out;
}

std::string encode_connect_error(std::string_view nsp, std::string_view message,
                                 std::string_view data_json) {
  std::string out;
  out.reserve(32 + nsp.size() + message.size() + data_json.size());
  append_header(out, PacketType::ConnectError, 0, nsp, std::nullopt);
  out.append("{\"message\":");
  append_json_string(out, message);
  if (!data_json.empty()) {
    out.append(",\"data\":");
    out.append(data_json);
  }
  out.push_back('}');
  return valid_text(std::move(out));
}

std::string encode_disconnect(std::string_view nsp) {
  std::string out;
  append_header(out, PacketType::Disconnect, 0, nsp, std::nullopt);
  return out;
}

}  // namespace cz::socketio
