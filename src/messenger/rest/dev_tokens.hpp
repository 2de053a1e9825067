#pragma once
// Development sign-in: `--dev-tokens` mounts POST /dev/token, which mints a token for any user
// id and role, signed with the development secret (app/dev_secret.hpp), so that the web client
// (and anyone trying the server) can sign in without a marketplace backend. It is off by default
// and main refuses it together with --jwt-secret/--jwt-public-key: a production secret never
// signs tokens that anybody can ask for.
//
//   GET  /dev/token                      -> 200 {"dev_tokens": true, "lifetime_s": N}
//   POST /dev/token {user_id, role}      -> 200 {token, user_id, role, expires_at}
//   refusals as the REST API's: {status: false, message, error: {code, message}}
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "net/http.hpp"
#include "util/time.hpp"

namespace cz::messenger::rest {

inline constexpr std::string_view kDevTokenPath = "/dev/token";

struct DevTokenOptions {
  std::string hs256_secret;                  // the development secret
  std::chrono::seconds lifetime{12 * 3600};  // exp = now + lifetime
};

// An HS256 JWT {sub, role, iat, exp} (times in seconds). Pure.
std::string mint_hs256_token(std::string_view secret, std::string_view subject,
                             std::string_view role, std::int64_t issued_at_s,
                             std::int64_t expires_at_s);

// The handler of kDevTokenPath (mount it at exactly that path).
std::shared_ptr<net::HttpHandler> make_dev_token_handler(DevTokenOptions options);

}  // namespace cz::messenger::rest
