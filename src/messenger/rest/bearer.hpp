#pragma once
// Who is calling: the `Authorization: Bearer <JWT>` header, verified exactly as the socket
// handshake verifies its token (JwtVerifier: algorithm, signature, exp/nbf).
#include <optional>
#include <string>
#include <string_view>

#include "messenger/jwt.hpp"
#include "store/model.hpp"
#include "util/result.hpp"

namespace cz::messenger::rest {

// The verified caller: the token's `sub`, and its `role` claim when it has one.
struct Caller {
  std::string user_id;
  std::optional<store::Role> role;
};

// The token of an Authorization header value ("Bearer <token>", scheme case-insensitive);
// nullopt when the header is absent or not a Bearer credential.
std::optional<std::string_view> bearer_token(std::optional<std::string_view> authorization);

// Errors have code UNAUTHORIZED: no token, a token the verifier refuses, a subject that is not a
// usable user id (empty, over `max_id_bytes`, control characters) or an unknown role claim.
Result<Caller> authenticate(std::optional<std::string_view> authorization,
                            const JwtVerifier& verifier, TimeMs now, std::size_t max_id_bytes);

}  // namespace cz::messenger::rest
