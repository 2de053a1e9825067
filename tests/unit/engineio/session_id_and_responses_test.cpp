// Session ids, the Node-shaped error responses and the polling transport's CORS.
#include <gtest/gtest.h>

#include <set>

#include "engineio/error_response.hpp"
#include "engineio/polling_cors.hpp"
#include "engineio/session_id.hpp"

namespace cz::engineio {
namespace {

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
  auto res = make_error_response(req, ErrorCode::Forbidden, false);
  EXPECT_EQ(res.result(), net::http::status::forbidden);
  EXPECT_EQ(res.body(), R"({"code":4,"message":"Forbidden"})");
  auto up = make_error_response(req, ErrorCode::UnknownSid, true);
  EXPECT_EQ(up.result(), net::http::status::bad_request);
  EXPECT_EQ(up.body(), "Session ID unknown");
  EXPECT_FALSE(up.keep_alive());
}

TEST(Cors, DisabledAddsNothing) {
  PollingCors cors({});
  net::Request req{net::http::verb::get, "/", 11};
  req.set(net::http::field::origin, "http://a");
  net::Response res;
  cors.apply(req, res);
  EXPECT_EQ(res.begin(), res.end());
}

}  // namespace
}  // namespace cz::engineio
