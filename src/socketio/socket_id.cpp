#include "socketio/socket_id.hpp"

#include <openssl/rand.h>

#include <array>
#include <random>

#include "util/base64.hpp"

namespace cz::socketio {

std::string generate_socket_id() {
  std::array<unsigned char, 15> bytes;
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    // The CSPRNG failing is near impossible; fall back to the OS entropy source directly.
    std::random_device device;
    for (auto& b : bytes) b = static_cast<unsigned char>(device());
  }
  // 15 bytes make 20 url-safe characters, no padding.
  return base64::url_encode(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace cz::socketio
