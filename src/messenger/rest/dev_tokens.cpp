#include "messenger/rest/dev_tokens.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "messenger/errors.hpp"
#include "messenger/json_writer.hpp"
#include "messenger/rest/body.hpp"
#include "messenger/rest/refusal.hpp"
#include "messenger/validate.hpp"
#include "net/http_util.hpp"
#include "util/base64.hpp"

namespace cz::messenger::rest {

namespace {

namespace http = boost::beast::http;

constexpr std::size_t kMaxBodyBytes = 4096;

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &length))
    throw std::runtime_error("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(digest), length);
}

net::Response json_response(const net::Request& req, http::status status, std::string body) {
  auto res = net::make_response(req, status, std::move(body), "application/json");
  // A token is a credential: no cache may keep it.
  res.set(http::field::cache_control, "no-store");
  return res;
}

net::Response refusal(const net::Request& req, const Error& error) {
  return json_response(req, status_for(error), render_refusal(error));
}

struct TokenRequest {
  std::string user_id;
  store::Role role;
};

Result<TokenRequest> parse_token_request(const net::Request& req) {
  std::optional<std::string_view> content_type;
  if (auto it = req.find(http::field::content_type); it != req.end())
    content_type = std::string_view(it->value().data(), it->value().size());
  auto body = parse_json_body(req.body(), content_type, kMaxBodyBytes);
  if (!body) return body.error();
  auto user_id = required_id(*body, "user_id", Limits{});
  if (!user_id) return user_id.error();
  const auto role = body->FindMember("role");
  if (role == body->MemberEnd() || !role->value.IsString())
    return make_error(code::kValidationError, "role is required: BUYER or SELLER");
  auto parsed =
      parse_role(std::string_view(role->value.GetString(), role->value.GetStringLength()));
  if (!parsed) return make_error(code::kValidationError, "role must be BUYER or SELLER");
  return TokenRequest{std::move(*user_id), *parsed};
}

class DevTokenHandler final : public net::HttpHandler {
 public:
  explicit DevTokenHandler(DevTokenOptions options) : options_(std::move(options)) {}

  void handle(std::shared_ptr<net::HttpExchange> exchange) override {
    const auto& req = exchange->request();
    // The router matches prefixes; only the exact path is this endpoint.
    if (net::target_path(req.target()) != kDevTokenPath)
      return exchange->respond(refusal(req, make_error(rest_code::kNotFound, "no such route")));
    if (req.method() == http::verb::get) return exchange->respond(describe(req));
    if (req.method() != http::verb::post) {
      auto res = refusal(req, make_error(rest_code::kMethodNotAllowed, "use GET or POST"));
      res.set(http::field::allow, "GET, POST");
      return exchange->respond(std::move(res));
    }
    auto request = parse_token_request(req);
    if (!request) return exchange->respond(refusal(req, request.error()));
    exchange->respond(mint(req, *request));
  }

 private:
  net::Response describe(const net::Request& req) const {
    return json_response(
        req, http::status::ok,
        "{\"dev_tokens\":true,\"lifetime_s\":" + std::to_string(options_.lifetime.count()) + "}");
  }

  net::Response mint(const net::Request& req, const TokenRequest& request) const {
    const auto now_s = now_ms() / 1000;
    const auto expires_s = now_s + options_.lifetime.count();
    const std::string_view role = request.role == store::Role::Buyer ? "BUYER" : "SELLER";
    const auto token =
        mint_hs256_token(options_.hs256_secret, request.user_id, role, now_s, expires_s);
    spdlog::info("dev-tokens: minted a token for {} ({})", request.user_id, role);
    std::string out;
    StringSink sink(out);
    JsonWriter w(sink);
    w.StartObject();
    write_field(w, "token", token);
    write_field(w, "user_id", request.user_id);
    write_field(w, "role", role);
    write_field(w, "expires_at", format_iso8601(expires_s * 1000));
    w.EndObject();
    return json_response(req, http::status::ok, std::move(out));
  }

  DevTokenOptions options_;
};

}  // namespace

std::string mint_hs256_token(std::string_view secret, std::string_view subject,
                             std::string_view role, std::int64_t issued_at_s,
                             std::int64_t expires_at_s) {
  std::string claims;
  StringSink sink(claims);
  JsonWriter w(sink);
  w.StartObject();
  write_field(w, "sub", subject);
  write_field(w, "role", role);
  write_key(w, "iat");
  w.Int64(issued_at_s);
  write_key(w, "exp");
  w.Int64(expires_at_s);
  w.EndObject();
  std::string signing_input = base64::url_encode(R"({"alg":"HS256","typ":"JWT"})");
  signing_input += '.';
  signing_input += base64::url_encode(claims);
  const auto signature = base64::url_encode(hmac_sha256(secret, signing_input));
  return signing_input + '.' + signature;
}

std::shared_ptr<net::HttpHandler> make_dev_token_handler(DevTokenOptions options) {
  return std::make_shared<DevTokenHandler>(std::move(options));
}

}  // namespace cz::messenger::rest
