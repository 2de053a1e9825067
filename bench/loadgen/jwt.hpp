#pragma once
// Mints the HS256 tokens that the servers under test verify (sub = user id, role claim).
#include <cstdint>
#include <string>
#include <string_view>

namespace cz::loadgen {

std::string mint_hs256_token(std::string_view secret, std::string_view user_id,
                             std::string_view role, std::int64_t issued_at_s,
                             std::int64_t lifetime_s);

}  // namespace cz::loadgen
