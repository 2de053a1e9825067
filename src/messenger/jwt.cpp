#include "messenger/jwt.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <rapidjson/document.h>

#include <cmath>
#include <stdexcept>

#include "util/base64.hpp"

namespace cz::messenger {

struct JwtVerifier::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

constexpr const char* kUnauthorized = "UNAUTHORIZED";

Error refuse(std::string reason) {
  return Error{kUnauthorized, std::move(reason)};
}

std::optional<JwtAlgorithm> parse_alg(std::string_view name) {
  if (name == "HS256") return JwtAlgorithm::HS256;
  if (name == "RS256") return JwtAlgorithm::RS256;
  if (name == "ES256") return JwtAlgorithm::ES256;
  return std::nullopt;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// A NumericDate claim: seconds since the epoch, integer or fractional (RFC 7519 §2).
std::optional<std::int64_t> numeric_date(const rapidjson::Value& v) {
  if (v.IsInt64()) return v.GetInt64();
  if (v.IsNumber()) {
    const double d = v.GetDouble();
    if (!std::isfinite(d) || std::fabs(d) > 9.0e15) return std::nullopt;
    return static_cast<std::int64_t>(std::floor(d));
  }
  return std::nullopt;
}

// The P-256 signature of a JWT is r||s (32 bytes each); OpenSSL verifies DER ECDSA-Sig-Value.
std::optional<std::string> es256_to_der(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(p, 32, nullptr);
  BIGNUM* s = BN_bin2bn(p + 32, 32, nullptr);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  if (!r || !s || !sig) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  ECDSA_SIG_set0(sig, r, s);  // takes ownership of r and s
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool verify_with_key(EVP_PKEY* pkey, std::string_view data, std::string_view signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return false;
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, pkey) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                             data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// Splits "header.payload.signature" into its three parts.
bool split_token(std::string_view token, std::string_view parts[3]) {
  const auto first = token.find('.');
  if (first == std::string_view::npos) return false;
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos) return false;
  if (token.find('.', second + 1) != std::string_view::npos) return false;
  parts[0] = token.substr(0, first);
  parts[1] = token.substr(first + 1, second - first - 1);
  parts[2] = token.substr(second + 1);
  return !parts[0].empty() && !parts[1].empty();
}

bool parse_json_object(std::string_view text, rapidjson::Document& doc) {
  doc.Parse(text.data(), text.size());
  return !doc.HasParseError() && doc.IsObject();
}

}  // namespace

JwtVerifier::JwtVerifier(const JwtOptions& options)
    : secret_(options.hs256_secret),
      leeway_(options.leeway),
      max_token_bytes_(options.max_token_bytes) {
  if (options.public_key_pem.empty()) return;
  BIO* bio = BIO_new_mem_buf(options.public_key_pem.data(),
                             static_cast<int>(options.public_key_pem.size()));
  if (!bio) throw std::runtime_error("jwt: out of memory reading the public key");
  key_ = std::make_unique<Key>();
  key_->pkey = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key_->pkey) throw std::runtime_error("jwt: the public key is not a PEM public key");
  switch (EVP_PKEY_get_base_id(key_->pkey)) {
    case EVP_PKEY_RSA:
      key_alg_ = JwtAlgorithm::RS256;
      break;
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t len = 0;
      if (EVP_PKEY_get_group_name(key_->pkey, group, sizeof group, &len) != 1 ||
          std::string_view(group, len) != "prime256v1")
        throw std::runtime_error("jwt: an EC public key must be on P-256 (ES256)");
      key_alg_ = JwtAlgorithm::ES256;
      break;
    }
    default:
      throw std::runtime_error("jwt: the public key must be RSA (RS256) or EC P-256 (ES256)");
  }
}

JwtVerifier::~JwtVerifier() = default;

bool JwtVerifier::configured() const {
  return !secret_.empty() || key_alg_.has_value();
}

bool JwtVerifier::allows(JwtAlgorithm alg) const {
  if (alg == JwtAlgorithm::HS256) return !secret_.empty();
  return key_alg_ == alg;
}

bool JwtVerifier::check_signature(JwtAlgorithm alg, std::string_view signing_input,
                                  std::string_view signature) const {
  switch (alg) {
    case JwtAlgorithm::HS256: {
      unsigned char mac[EVP_MAX_MD_SIZE];
      unsigned int mac_len = 0;
      if (!HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
                reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(),
                mac, &mac_len))
        return false;
      // Constant time: the comparison must not reveal how many leading bytes matched.
      return signature.size() == mac_len && CRYPTO_memcmp(mac, signature.data(), mac_len) == 0;
    }
    case JwtAlgorithm::RS256:
      return verify_with_key(key_->pkey, signing_input, signature);
    case JwtAlgorithm::ES256: {
      const auto der = es256_to_der(signature);
      return der && verify_with_key(key_->pkey, signing_input, *der);
    }
  }
  return false;
}

Result<JwtClaims> JwtVerifier::verify(std::string_view token, TimeMs now) const {
  if (token.empty()) return refuse("token missing");
  if (!configured()) return refuse("token verification is not configured");
  if (token.size() > max_token_bytes_) return refuse("token too long");

  std::string_view parts[3];
  if (!split_token(token, parts)) return refuse("malformed token");
  const auto header_text = base64::url_decode(parts[0]);
  const auto payload_text = base64::url_decode(parts[1]);
  const auto signature = base64::url_decode(parts[2]);
  if (!header_text || !payload_text || !signature) return refuse("malformed token");

  rapidjson::Document header;
  if (!parse_json_object(*header_text, header)) return refuse("malformed token header");
  const auto alg_it = header.FindMember("alg");
  if (alg_it == header.MemberEnd() || !alg_it->value.IsString())
    return refuse("malformed token header");
  const auto alg =
      parse_alg(std::string_view(alg_it->value.GetString(), alg_it->value.GetStringLength()));
  if (!alg || !allows(*alg)) return refuse("algorithm not allowed");
  // We implement no extensions, so a token that demands one must be refused (RFC 7515 §4.1.11).
  if (header.HasMember("crit")) return refuse("unsupported critical header");

  const std::string_view signing_input = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (!check_signature(*alg, signing_input, *signature)) return refuse("bad signature");

  rapidjson::Document payload;
  if (!parse_json_object(*payload_text, payload)) return refuse("malformed token payload");

  JwtClaims claims;
  if (auto it = payload.FindMember("sub"); it != payload.MemberEnd()) {
    if (it->value.IsString())
      claims.sub.assign(it->value.GetString(), it->value.GetStringLength());
    else if (it->value.IsInt64())
      claims.sub = std::to_string(it->value.GetInt64());
    else
      return refuse("malformed subject claim");
  }
  if (auto it = payload.FindMember("role"); it != payload.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsString()) return refuse("malformed role claim");
    claims.role.emplace(it->value.GetString(), it->value.GetStringLength());
  }
  for (auto [name, slot] : {std::pair{"exp", &claims.exp}, std::pair{"nbf", &claims.nbf}}) {
    if (auto it = payload.FindMember(name); it != payload.MemberEnd()) {
      *slot = numeric_date(it->value);
      if (!*slot) return refuse(std::string("malformed ") + name + " claim");
    }
  }

  const std::int64_t now_s = now / 1000;
  const std::int64_t leeway = leeway_.count();
  // now_s - leeway, not exp + leeway: exp is the token's and may be near INT64_MAX.
  if (claims.exp && now_s - leeway >= *claims.exp) return refuse("token expired");
  if (claims.nbf && now_s + leeway < *claims.nbf) return refuse("token not yet valid");
  return claims;
}

Result<JwtClaims> JwtVerifier::verify_user(std::string_view token, std::string_view user_id,
                                           std::string_view role, TimeMs now) const {
  auto claims = verify(token, now);
  if (!claims) return claims;
  if (claims->sub.empty()) return refuse("token has no subject");
  if (claims->sub != user_id) return refuse("subject mismatch");
  if (claims->role && !iequals(*claims->role, role)) return refuse("role mismatch");
  return claims;
}

}  // namespace cz::messenger
