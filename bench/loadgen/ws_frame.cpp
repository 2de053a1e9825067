#include "ws_frame.hpp"

#include <openssl/sha.h>

#include "base64.hpp"

namespace cz::loadgen {

WsFrameView parse_ws_frame(std::string_view data, std::size_t max_payload) {
  WsFrameView view;
  if (data.size() < 2) return view;
  const auto b0 = static_cast<std::uint8_t>(data[0]);
  const auto b1 = static_cast<std::uint8_t>(data[1]);
  if (b0 & 0x70) {  // RSV bits: no extension was negotiated
    view.status = WsFrameView::Status::error;
    return view;
  }
  view.fin = (b0 & 0x80) != 0;
  view.opcode = static_cast<WsOpcode>(b0 & 0x0F);
  view.masked = (b1 & 0x80) != 0;
  std::uint64_t length = b1 & 0x7F;
  std::size_t pos = 2;
  const std::size_t extra = length == 126 ? 2 : length == 127 ? 8 : 0;
  if (data.size() < pos + extra) return view;
  if (extra) {
    length = 0;
    for (std::size_t i = 0; i < extra; ++i)
      length = (length << 8) | static_cast<std::uint8_t>(data[pos + i]);
    pos += extra;
  }
  if (view.masked) {
    if (data.size() < pos + 4) return view;
    for (std::size_t i = 0; i < 4; ++i)
      view.mask = (view.mask << 8) | static_cast<std::uint8_t>(data[pos + i]);
    pos += 4;
  }
  if (length > max_payload) {
    view.status = WsFrameView::Status::error;
    return view;
  }
  view.header_size = pos;
  view.payload_size = static_cast<std::size_t>(length);
  if (data.size() < pos + view.payload_size) return view;
  view.status = WsFrameView::Status::frame;
  return view;
}

void apply_ws_mask(char* data, std::size_t size, std::uint32_t mask_key) {
  const std::uint8_t key[4] = {
      static_cast<std::uint8_t>(mask_key >> 24), static_cast<std::uint8_t>(mask_key >> 16),
      static_cast<std::uint8_t>(mask_key >> 8), static_cast<std::uint8_t>(mask_key)};
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<char>(data[i] ^ key[i & 3]);
}

void append_ws_frame(std::string& out, WsOpcode opcode, std::string_view payload,
                     std::uint32_t mask_key) {
  const std::size_t size = payload.size();
  out.push_back(static_cast<char>(0x80 | static_cast<std::uint8_t>(opcode)));
  if (size < 126) {
    out.push_back(static_cast<char>(0x80 | size));
  } else if (size <= 0xFFFF) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(size >> 8));
    out.push_back(static_cast<char>(size));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>(static_cast<std::uint64_t>(size) >> shift));
  }
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(mask_key >> shift));
  const std::size_t start = out.size();
  out.append(payload);
  apply_ws_mask(out.data() + start, size, mask_key);
}

std::string ws_accept_for_key(std::string_view key) {
  static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(key);
  input.append(guid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace cz::loadgen
