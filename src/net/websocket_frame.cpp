#include "net/websocket_frame.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>
#include <limits>

#include "util/utf8.hpp"

namespace cz::net::ws {

namespace {

constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kRsvMask = 0x70;
constexpr std::uint8_t kOpcodeMask = 0x0F;
constexpr std::uint8_t kMaskBit = 0x80;
constexpr std::uint8_t kLenMask = 0x7F;

bool is_control(Opcode op) {
  return static_cast<std::uint8_t>(op) & 0x8;
}

bool is_known(std::uint8_t op) {
  return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

// Close codes a peer may send (RFC 6455 7.4.1 and the IANA registry).
bool is_valid_close_code(std::uint16_t code) {
  if (code >= 1000 && code <= 1014) return code != 1004 && code != 1005 && code != 1006;
  return code >= 3000 && code <= 4999;
}

std::uint16_t read_u16(const char* p) {
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(p[0]) << 8) |
                                    static_cast<std::uint8_t>(p[1]));
}

std::uint64_t read_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<std::uint8_t>(p[i]);
  return v;
}

struct Header {
  bool fin;
  std::uint8_t rsv;
  std::uint8_t opcode;
  bool masked;
  std::uint64_t length;
  std::uint8_t mask[4];
  std::size_t size;  // header bytes
};

// Returns false when the header is not complete yet.
bool read_header(const char* data, std::size_t size, Header& h) {
  if (size < 2) return false;
  const auto b0 = static_cast<std::uint8_t>(data[0]);
  const auto b1 = static_cast<std::uint8_t>(data[1]);
  h.fin = b0 & kFin;
  h.rsv = b0 & kRsvMask;
  h.opcode = b0 & kOpcodeMask;
  h.masked = b1 & kMaskBit;
  std::size_t pos = 2;
  std::uint64_t len = b1 & kLenMask;
  if (len == 126) {
    if (size < pos + 2) return false;
    len = read_u16(data + pos);
    pos += 2;
  } else if (len == 127) {
    if (size < pos + 8) return false;
    len = read_u64(data + pos);
    pos += 8;
  }
  if (h.masked) {
    if (size < pos + 4) return false;
    std::memcpy(h.mask, data + pos, 4);
    pos += 4;
  }
  h.length = len;
  h.size = pos;
  return true;
}

}  // namespace

void apply_mask(char* data, std::size_t size, const std::uint8_t mask[4], std::size_t offset) {
  std::uint8_t m[4];
  for (int i = 0; i < 4; ++i) m[i] = mask[(offset + i) & 3];
  std::size_t i = 0;
  // Eight bytes at a time: the mask repeats every four bytes, so a doubled 32-bit key works.
  std::uint32_t m32;
  std::memcpy(&m32, m, 4);
  const std::uint64_t m64 = (static_cast<std::uint64_t>(m32) << 32) | m32;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t v;
    std::memcpy(&v, data + i, 8);
    v ^= m64;
    std::memcpy(data + i, &v, 8);
  }
  for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ m[i & 3]);
}

std::size_t FrameParser::frame_size(const char* data, std::size_t size) {
  Header h;
  if (!read_header(data, size, h)) return 0;
  // The 64-bit length is the peer's claim: saturate rather than wrap to a small size.
  constexpr auto kMax = std::numeric_limits<std::size_t>::max();
  if (h.length > kMax - h.size) return kMax;
  return h.size + h.length;
}

ParseResult FrameParser::parse(char* data, std::size_t size, FrameSink& sink) {
  ParseResult r;
  while (r.consumed < size) {
    char* frame = data + r.consumed;
    const std::size_t avail = size - r.consumed;
    Header h;
    if (!read_header(frame, avail, h)) break;
    // Everything that can be judged from the header is judged before waiting for the payload,
    // so a hostile peer cannot make us buffer a frame we will refuse anyway.
    if (h.rsv != 0 || !is_known(h.opcode) || !h.masked || (h.length >> 63) != 0) {
      r.error = close_code::protocol_error;
      return r;
    }
    const auto op = static_cast<Opcode>(h.opcode);
    if (is_control(op)) {
      if (!h.fin || h.length > kMaxControlPayload) {
        r.error = close_code::protocol_error;
        return r;
      }
    } else {
      const std::uint64_t so_far = in_message_ ? fragments_.size() : 0;
      if (h.length > max_message_size_ || so_far + h.length > max_message_size_) {
        r.error = close_code::too_big;
        return r;
      }
    }
    if (avail - h.size < h.length) break;
    char* payload = frame + h.size;
    const auto len = static_cast<std::size_t>(h.length);
    apply_mask(payload, len, h.mask);
    r.consumed += h.size + len;
    bool closed = false;
    if (auto err = on_frame(h.fin, op, payload, len, sink, closed)) {
      r.error = err;
      return r;
    }
    if (closed) {
      r.closed = true;
      return r;
    }
  }
  return r;
}

std::uint16_t FrameParser::on_frame(bool fin, Opcode op, char* payload, std::size_t len,
                                    FrameSink& sink, bool& closed) {
  const std::string_view view(payload, len);
  switch (op) {
    case Opcode::Ping:
      sink.on_ping(view);
      return 0;
    case Opcode::Pong:
      sink.on_pong(view);
      return 0;
    case Opcode::Close:
      closed = true;
      return on_close_frame(payload, len, sink);
    case Opcode::Text:
    case Opcode::Binary: {
      if (in_message_) return close_code::protocol_error;  // new message inside a fragmented one
      const bool binary = op == Opcode::Binary;
      if (fin) {
        if (!binary && !utf8::is_valid(view)) return close_code::invalid_payload;
        sink.on_message(view, binary);
        return 0;
      }
      in_message_ = true;
      message_binary_ = binary;
      fragments_.assign(payload, len);
      return 0;
    }
    case Opcode::Continuation: {
      if (!in_message_) return close_code::protocol_error;
      fragments_.append(payload, len);
      if (!fin) return 0;
      in_message_ = false;
      if (!message_binary_ && !utf8::is_valid(fragments_)) return close_code::invalid_payload;
      sink.on_message(fragments_, message_binary_);
      std::string().swap(fragments_);  // give the memory back: idle connections stay small
      return 0;
    }
  }
  return close_code::protocol_error;
}

std::uint16_t FrameParser::on_close_frame(const char* payload, std::size_t len, FrameSink& sink) {
  if (len == 0) {
    sink.on_close(close_code::no_status, {});
    return 0;
  }
  if (len == 1) return close_code::protocol_error;
  const std::uint16_t code = read_u16(payload);
  if (!is_valid_close_code(code)) return close_code::protocol_error;
  const std::string_view reason(payload + 2, len - 2);
  if (!utf8::is_valid(reason)) return close_code::invalid_payload;
  sink.on_close(code, reason);
  return 0;
}

std::size_t encode_header(std::uint8_t* out, Opcode op, std::uint64_t payload_size, bool fin) {
  out[0] = static_cast<std::uint8_t>((fin ? kFin : 0) | static_cast<std::uint8_t>(op));
  if (payload_size < 126) {
    out[1] = static_cast<std::uint8_t>(payload_size);
    return 2;
  }
  if (payload_size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<std::uint8_t>(payload_size >> 8);
    out[3] = static_cast<std::uint8_t>(payload_size);
    return 4;
  }
  out[1] = 127;
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(payload_size >> (56 - 8 * i));
  return 10;
}

std::string encode_frame(Opcode op, std::string_view payload, bool fin) {
  std::uint8_t header[kMaxServerHeader];
  const std::size_t n = encode_header(header, op, payload.size(), fin);
  std::string out;
  out.reserve(n + payload.size());
  out.append(reinterpret_cast<const char*>(header), n);
  out.append(payload);
  return out;
}

std::string encode_close_payload(std::uint16_t code, std::string_view reason) {
  if (reason.size() > kMaxControlPayload - 2) reason = reason.substr(0, kMaxControlPayload - 2);
  std::string out;
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xFF));
  out.append(reason);
  return out;
}

std::string encode_client_frame(Opcode op, std::string_view payload, std::uint32_t mask_key,
                                bool fin) {
  std::uint8_t header[kMaxServerHeader];
  const std::size_t n = encode_header(header, op, payload.size(), fin);
  header[1] |= kMaskBit;
  const std::uint8_t mask[4] = {
      static_cast<std::uint8_t>(mask_key >> 24), static_cast<std::uint8_t>(mask_key >> 16),
      static_cast<std::uint8_t>(mask_key >> 8), static_cast<std::uint8_t>(mask_key)};
  std::string out(reinterpret_cast<const char*>(header), n);
  out.append(reinterpret_cast<const char*>(mask), 4);
  const std::size_t start = out.size();
  out.append(payload);
  apply_mask(out.data() + start, payload.size(), mask);
  return out;
}

std::string accept_key(std::string_view client_key) {
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input;
  input.reserve(client_key.size() + kGuid.size());
  input.append(client_key);
  input.append(kGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  unsigned char out[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(out, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

}  // namespace cz::net::ws
