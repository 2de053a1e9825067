#include "engineio/query.hpp"

#include <gtest/gtest.h>

#include <set>

#include "engineio/cors.hpp"
#include "engineio/http_errors.hpp"
#include "engineio/session_id.hpp"

namespace cz::engineio {
namespace {

TEST(Query, ParsesAndDecodes) {
  auto q = parse_query("/socket.io/?EIO=4&transport=polling&t=N1&token=a%2Bb%3D&name=a+b&flag");
  ASSERT_EQ(q.size(), 6u);
  EXPECT_EQ(query_param(q, "EIO"), "4");
  EXPECT_EQ(query_param(q, "transport"), "polling");
  EXPECT_EQ(query_param(q, "token"), "a+b=");
  EXPECT_EQ(query_param(q, "name"), "a b");
  EXPECT_EQ(query_param(q, "flag"), "");
  EXPECT_FALSE(query_param(q, "sid").has_value());
}

TEST(Query, FirstValueWinsAndOddInputIsSafe) {
  auto q = parse_query("/x?a=1&a=2&&=v&b=%zz&c=%4");
  EXPECT_EQ(query_param(q, "a"), "1");
  EXPECT_EQ(query_param(q, "b"), "%zz");
  EXPECT_EQ(query_param(q, "c"), "%4");
  EXPECT_EQ(query_param(q, ""), "v");
  EXPECT_TRUE(parse_query("/no-query").empty());
  EXPECT_TRUE(parse_query("/x?").empty());
  EXPECT_EQ(url_decode("%E2%82%AC"), "\xe2\x82\xac");
}

TEST(SessionId, UrlSafeAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = generate_session_id();
    EXPECT_EQ(id.size(), 20u);
    EXPECT_EQ(id.find_first_of("+/="), std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(HttpErrors, NodeBodies) {
  net::Request req{net::http::verb::get, "/", 11};
  auto res = make_error_response(req, ErrorCode::forbidden, false);
  EXPECT_EQ(res.result(), net::http::status::forbidden);
  EXPECT_EQ(res.body(), R"({"code":4,"message":"Forbidden"})");
  auto up = make_error_response(req, ErrorCode::unknown_sid, true);
  EXPECT_EQ(up.result(), net::http::status::bad_request);
  EXPECT_EQ(up.body(), "Session ID unknown");
  EXPECT_FALSE(up.keep_alive());
}

TEST(Cors, DisabledAddsNothing) {
  CorsPolicy cors({});
  net::Request req{net::http::verb::get, "/", 11};
  req.set(net::http::field::origin, "http://a");
  net::Response res;
  cors.apply(req, res);
  EXPECT_EQ(res.begin(), res.end());
}

}  // namespace
}  // namespace cz::engineio
