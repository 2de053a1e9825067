#include "engineio/session_id.hpp"

#include <openssl/rand.h>

#include <stdexcept>

#include "util/base64.hpp"

namespace cz::engineio {

std::string generate_session_id() {
  unsigned char bytes[15];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
  // URL-safe: the id travels in query strings. 15 bytes make 20 characters, no padding.
  return base64::url_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

}  // namespace cz::engineio
