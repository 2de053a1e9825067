// The pure parts of reading a REST request: JSON body, Bearer token, CORS, and
// how refusals map onto HTTP.
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include <string>

#include "messenger/rest/api_cors.hpp"
#include "messenger/rest/bearer.hpp"
#include "messenger/rest/body.hpp"
#include "messenger/rest/refusal.hpp"
#include "util/base64.hpp"
#include "util/query.hpp"

namespace cz::messenger::rest {
namespace {

using boost::beast::http::status;

// --- body ----------------------------------------------------------------------------------

TEST(RestBody, EmptyBodyIsAnEmptyObject) {
  auto d = parse_json_body("", std::nullopt, 100);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->IsObject());
  EXPECT_TRUE(d->ObjectEmpty());
  EXPECT_TRUE(parse_json_body("  \t", "text/plain", 100));  // no body: its type is irrelevant
}

TEST(RestBody, ParsesAnObject) {
  auto d = parse_json_body(R"({"role":"BUYER","n":1})", "application/json; charset=utf-8", 100);
  ASSERT_TRUE(d);
  EXPECT_STREQ((*d)["role"].GetString(), "BUYER");
  EXPECT_TRUE(parse_json_body("{}", std::nullopt, 100));
  EXPECT_TRUE(parse_json_body("{}", "application/merge-patch+json", 100));
}

TEST(RestBody, RefusesOversizeBodies) {
  const std::string body = "{\"a\":\"" + std::string(200, 'x') + "\"}";
  auto d = parse_json_body(body, "application/json", 100);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, rest_code::kPayloadTooLarge);
  EXPECT_EQ(status_for(d.error()), status::payload_too_large);
}

TEST(RestBody, RefusesNonJsonContentTypes) {
  for (const char* type :
       {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
    auto d = parse_json_body("{}", type, 100);
    ASSERT_FALSE(d) << type;
    EXPECT_EQ(d.error().code, rest_code::kUnsupportedMediaType);
  }
}

TEST(RestBody, RefusesBadJson) {
  for (const char* text : {"{", "{\"a\":}", "{} {}", "{'a':1}", "nul", "{\"a\":\"\x01\"}"}) {
    auto d = parse_json_body(text, "application/json", 1000);
    ASSERT_FALSE(d) << text;
    EXPECT_EQ(d.error().code, rest_code::kInvalidJson) << text;
    EXPECT_EQ(status_for(d.error()), status::bad_request);
  }
}

TEST(RestBody, RefusesInvalidUtf8) {
  auto d = parse_json_body("{\"a\":\"\xff\xfe\"}", "application/json", 1000);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, rest_code::kInvalidJson);
}

TEST(RestBody, RefusesJsonThatIsNotAnObject) {
  for (const char* text : {"[]", "1", "\"x\"", "null", "true"}) {
    auto d = parse_json_body(text, std::nullopt, 100);
    ASSERT_FALSE(d) << text;
    EXPECT_EQ(d.error().code, "VALIDATION_ERROR");
  }
}

TEST(RestBody, DeepNestingDoesNotExhaustTheStack) {
  // 200 000 levels: a recursive parser would overflow the stack; the iterative one just parses.
  const std::string deep = "{\"a\":" + std::string(200000, '[') + std::string(200000, ']') + "}";
  auto d = parse_json_body(deep, std::nullopt, deep.size());
  EXPECT_TRUE(d);
}

// --- Bearer --------------------------------------------------------------------------------

constexpr const char* kSecret = "rest-test-secret";
constexpr TimeMs kNow = 1'700'000'000'000;

std::string hs256(const std::string& payload) {
  const std::string input =
      base64::url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." + base64::url_encode(payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret, static_cast<int>(std::string_view(kSecret).size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + base64::url_encode(std::string(reinterpret_cast<char*>(mac), len));
}

JwtVerifier& verifier() {
  static JwtVerifier v([] {
    JwtOptions o;
    o.hs256_secret = kSecret;
    return o;
  }());
  return v;
}

TEST(RestBearer, ExtractsTheToken) {
  EXPECT_EQ(bearer_token("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(bearer_token("bearer   abc "), "abc");
  EXPECT_EQ(bearer_token("BEARER x"), "x");
  EXPECT_FALSE(bearer_token(std::nullopt));
  EXPECT_FALSE(bearer_token("Basic dXNlcjpwYXNz"));
  EXPECT_FALSE(bearer_token("Bearer"));
  EXPECT_FALSE(bearer_token("Bearer "));
  EXPECT_FALSE(bearer_token("Bearerabc"));
  EXPECT_FALSE(bearer_token("abc"));
}

TEST(RestBearer, AuthenticatesAValidToken) {
  auto caller =
      authenticate("Bearer " + hs256(R"({"sub":"b1","role":"buyer"})"), verifier(), kNow, 128);
  ASSERT_TRUE(caller) << caller.error().message;
  EXPECT_EQ(caller->user_id, "b1");
  EXPECT_EQ(caller->role, store::Role::Buyer);

  auto no_role = authenticate("Bearer " + hs256(R"({"sub":42})"), verifier(), kNow, 128);
  ASSERT_TRUE(no_role);
  EXPECT_EQ(no_role->user_id, "42");
  EXPECT_FALSE(no_role->role);
}

TEST(RestBearer, RefusesWithUnauthorized) {
  const std::string expired = hs256(R"({"sub":"b1","exp":1000})");
  const std::string cases[] = {
      "",                                                   // empty header
      "Basic abc",                                          // another scheme
      "Bearer not-a-jwt",                                   // garbage
      "Bearer " + expired,                                  // expired
      "Bearer " + hs256(R"({"role":"BUYER"})"),             // no subject
      "Bearer " + hs256(R"({"sub":"b1","role":"ADMIN"})"),  // unknown role
      "Bearer " + hs256(R"({"sub":"b\u0001"})"),            // control character in the subject
      "Bearer " + hs256("{\"sub\":\"" + std::string(200, 'x') + "\"}"),  // subject too long
  };
  for (const auto& header : cases) {
    auto caller = authenticate(header, verifier(), kNow, 128);
    ASSERT_FALSE(caller) << header;
    EXPECT_EQ(caller.error().code, "UNAUTHORIZED") << header;
    EXPECT_EQ(status_for(caller.error()), status::unauthorized);
  }
  auto missing = authenticate(std::nullopt, verifier(), kNow, 128);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "UNAUTHORIZED");

  // A token signed with another secret.
  auto token = hs256(R"({"sub":"b1"})");
  token.back() = token.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(authenticate("Bearer " + token, verifier(), kNow, 128));
}

// --- CORS ----------------------------------------------------------------------------------

TEST(RestCors, NoOriginsConfiguredMeansNoHeaders) {
  ApiCors cors({});
  EXPECT_FALSE(cors.allow_origin("http://a.example"));
  EXPECT_FALSE(cors.varies_by_origin());
}

TEST(RestCors, ListedOriginsAreEchoed) {
  ApiCors cors({"http://a.example", "https://b.example:8443/"});
  EXPECT_EQ(cors.allow_origin("http://a.example"), "http://a.example");
  EXPECT_EQ(cors.allow_origin("https://b.example:8443"), "https://b.example:8443");
  EXPECT_FALSE(cors.allow_origin("http://evil.example"));
  EXPECT_FALSE(cors.allow_origin("http://a.example.evil.example"));
  EXPECT_FALSE(cors.allow_origin(std::nullopt));
  EXPECT_TRUE(cors.varies_by_origin());
}

TEST(RestCors, StarAllowsAnyOrigin) {
  ApiCors cors({"*"});
  EXPECT_EQ(cors.allow_origin("http://anything.example"), "*");
  EXPECT_FALSE(cors.allow_origin(std::nullopt));  // not a cross-origin request
  EXPECT_FALSE(cors.varies_by_origin());
}

// --- refusals ------------------------------------------------------------------------------

TEST(RestErrors, StatusFitsTheCode) {
  auto s = [](const char* code) { return status_for(Error{code, ""}); };
  EXPECT_EQ(s("VALIDATION_ERROR"), status::bad_request);
  EXPECT_EQ(s("INVALID_JSON"), status::bad_request);
  EXPECT_EQ(s("UNAUTHORIZED"), status::unauthorized);
  EXPECT_EQ(s("FORBIDDEN"), status::forbidden);
  EXPECT_EQ(s("ROOM_NOT_FOUND"), status::not_found);
  EXPECT_EQ(s("MESSAGE_NOT_FOUND"), status::not_found);
  EXPECT_EQ(s("NOT_FOUND"), status::not_found);
  EXPECT_EQ(s("METHOD_NOT_ALLOWED"), status::method_not_allowed);
  EXPECT_EQ(s("PAYLOAD_TOO_LARGE"), status::payload_too_large);
  EXPECT_EQ(s("UNSUPPORTED_MEDIA_TYPE"), status::unsupported_media_type);
  EXPECT_EQ(s("CONTENT_TOO_LARGE"), status::unprocessable_entity);
  EXPECT_EQ(s("UNKNOWN_MESSAGE_TYPE"), status::unprocessable_entity);
  EXPECT_EQ(s("STORE_UNAVAILABLE"), status::service_unavailable);
  EXPECT_EQ(s("INTERNAL"), status::internal_server_error);
  EXPECT_EQ(s("SOMETHING_NEW"), status::internal_server_error);
}

TEST(RestErrors, RefusalBodyHasBothShapes) {
  rapidjson::Document d;
  d.Parse(render_refusal(Error{"FORBIDDEN", "not \"yours\""}).c_str());
  ASSERT_FALSE(d.HasParseError());
  EXPECT_FALSE(d["status"].GetBool());
  EXPECT_STREQ(d["message"].GetString(), "not \"yours\"");
  EXPECT_STREQ(d["error"]["code"].GetString(), "FORBIDDEN");
  EXPECT_STREQ(d["error"]["message"].GetString(), "not \"yours\"");
}

}  // namespace
}  // namespace cz::messenger::rest
