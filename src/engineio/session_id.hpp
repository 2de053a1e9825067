#pragma once
// Session ids: 15 random bytes from OpenSSL, base64url (20 characters), like Node's base64id.
#include <string>

namespace cz::engineio {

std::string generate_session_id();

}  // namespace cz::engineio
