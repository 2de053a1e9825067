#include "messenger/rest/bearer.hpp"

#include "messenger/errors.hpp"
#include "messenger/validate.hpp"

namespace cz::messenger::rest {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto low = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    if (low(a[i]) != low(b[i])) return false;
  }
  return true;
}

bool usable_id(std::string_view id, std::size_t max_bytes) {
  if (id.empty() || id.size() > max_bytes) return false;
  for (unsigned char c : id)
    if (c < 0x20 || c == 0x7F) return false;
  return true;
}

Error unauthorized(std::string message) {
  return make_error(code::kUnauthorized, std::move(message));
}

}  // namespace

std::optional<std::string_view> bearer_token(std::optional<std::string_view> authorization) {
  if (!authorization) return std::nullopt;
  std::string_view value = *authorization;
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() || !iequals(value.substr(0, kScheme.size()), kScheme) ||
      value[kScheme.size()] != ' ')
    return std::nullopt;
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  return value;
}

Result<Caller> authenticate(std::optional<std::string_view> authorization,
                            const JwtVerifier& verifier, TimeMs now, std::size_t max_id_bytes) {
  if (!authorization) return unauthorized("Authorization: Bearer <token> is required");
  const auto token = bearer_token(authorization);
  if (!token) return unauthorized("Authorization must be a Bearer token");
  auto claims = verifier.verify(*token, now);
  if (!claims) return unauthorized(claims.error().message);
  if (!usable_id(claims->sub, max_id_bytes)) return unauthorized("token subject is not a user id");
  Caller caller{std::move(claims->sub), std::nullopt};
  if (claims->role) {
    auto role = parse_role(*claims->role);
    if (!role) return unauthorized("token role must be BUYER or SELLER");
    caller.role = *role;
  }
  return caller;
}

}  // namespace cz::messenger::rest
