#include "engineio/session_id.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "engineio/base64.hpp"

namespace cz::engineio {

std::string generate_session_id() {
  unsigned char bytes[15];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  std::string id =
      base64_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  // URL-safe: the id travels in query strings.
  for (char& c : id) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return id;
}

}  // namespace cz::engineio
