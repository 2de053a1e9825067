#include "socketio/socket_id.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <random>

namespace cz::socketio {

std::string generate_socket_id() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<unsigned char, 15> bytes;
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // The CSPRNG failing is near impossible; fall back to the OS entropy source directly.
    std::random_device device;
    for (auto& b : bytes) b = static_cast<unsigned char>(device());
  }
  std::string id;
  id.reserve(20);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{bytes[i]} << 16) | (std::uint32_t{bytes[i + 1]} << 8) |
                            std::uint32_t{bytes[i + 2]};
    id.push_back(kAlphabet[(v >> 18) & 63]);
    id.push_back(kAlphabet[(v >> 12) & 63]);
    id.push_back(kAlphabet[(v >> 6) & 63]);
    id.push_back(kAlphabet[v & 63]);
  }
  return id;
}

}  // namespace cz::socketio
