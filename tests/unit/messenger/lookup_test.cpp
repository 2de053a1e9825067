// The optional shop/account lookups: URL handling and answer parsing (pure), and real requests
// to a stub HTTP service on loopback (success, error status, garbage, timeout, cache).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>

#include "messenger/lookup.hpp"
#include "rest_stub_service.hpp"

namespace cz::messenger {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using rest::testing_support::StubService;

TEST(RestLookupUrl, ParsesHttpUrls) {
  auto u = parse_http_url("http://shops.internal:8080/v1/shops/7?x=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "shops.internal");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/v1/shops/7?x=1");
  auto plain = parse_http_url("http://127.0.0.1");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->port, 80);
  EXPECT_EQ(plain->target, "/");
  auto v6 = parse_http_url("http://[::1]:9000/a");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
  EXPECT_EQ(parse_http_url("http://h?q=1")->target, "/?q=1");
  for (const char* bad : {"https://h/x", "ftp://h", "http://", "http://:80/", "http://h:0/",
                          "http://h:70000/", "http://h:x/", "http://user@h/", "h/x"}) {
    EXPECT_FALSE(parse_http_url(bad)) << bad;
  }
}

TEST(RestLookupUrl, ExpandsTheTemplate) {
  EXPECT_EQ(expand_url_template("http://s/v1/shops/{id}/info", "42"), "http://s/v1/shops/42/info");
  EXPECT_EQ(expand_url_template("http://s/v1/shops", "42"), "http://s/v1/shops/42");
  EXPECT_EQ(expand_url_template("http://s/v1/shops/", "42"), "http://s/v1/shops/42");
  EXPECT_EQ(expand_url_template("http://s/u/{id}", "a b/../c?d"), "http://s/u/a%20b%2F..%2Fc%3Fd");
}

TEST(RestLookupAnswer, ShopFromTheAnswerOrItsEnvelope) {
  const DetailLimits limits;
  EXPECT_EQ(shop_from_answer(R"({"name":"Shop A","id":7})", limits), R"({"name":"Shop A","id":7})");
  EXPECT_EQ(shop_from_answer(R"({"status":true,"data":{"name":"Shop B"}})", limits),
            R"({"name":"Shop B"})");
  for (const char* bad : {"", "nope", "[]", R"({"data":{"title":"x"}})", R"({"name":""})"})
    EXPECT_FALSE(shop_from_answer(bad, limits)) << bad;
}

TEST(RestLookupAnswer, BuyerInfoKeepsTheKnownFields) {
  const DetailLimits limits;
  EXPECT_EQ(buyer_info_from_answer(
                R"({"data":{"name":"Bob","email":"b@x","password_hash":"secret","avatar":null}})",
                limits),
            R"({"name":"Bob","avatar":null,"email":"b@x"})");
  EXPECT_FALSE(buyer_info_from_answer(R"({"name":7})", limits));
  EXPECT_FALSE(buyer_info_from_answer("{", limits));
}

// Runs one lookup on a local io_context until it completes.
std::optional<std::string> run_shop_lookup(const DetailsLookup& lookup, const std::string& id) {
  asio::io_context io;
  bool called = false;
  std::optional<std::string> result;
  lookup.shop(id, io.get_executor(), [&](std::optional<std::string> json) {
    called = true;
    result = std::move(json);
  });
  io.run_for(5s);
  EXPECT_TRUE(called);
  return result;
}

TEST(RestLookupService, FetchesAndCaches) {
  StubService service(200, R"({"data":{"name":"Remote Shop","rating":5}})");
  LookupOptions options;
  options.shop_service = service.url("/v1/shops/{id}");
  DetailsLookup lookup(options, {});
  EXPECT_TRUE(lookup.looks_up_shops());
  EXPECT_FALSE(lookup.looks_up_buyers());
  EXPECT_EQ(run_shop_lookup(lookup, "s 7"), R"({"name":"Remote Shop","rating":5})");
  EXPECT_EQ(service.last_target(), "/v1/shops/s%207");
  EXPECT_EQ(run_shop_lookup(lookup, "s 7"), R"({"name":"Remote Shop","rating":5})");
  EXPECT_EQ(service.requests(), 1);  // the second came from the cache
  run_shop_lookup(lookup, "other");
  EXPECT_EQ(service.requests(), 2);
}

TEST(RestLookupService, ErrorsGiveNoDetails) {
  StubService not_found(404, R"({"name":"ignored"})");
  LookupOptions options;
  options.shop_service = not_found.url("/shops");
  EXPECT_FALSE(run_shop_lookup(DetailsLookup(options, {}), "1"));
  EXPECT_EQ(not_found.last_target(), "/shops/1");

  StubService garbage(200, "<html>");
  options.shop_service = garbage.url("/shops/{id}");
  EXPECT_FALSE(run_shop_lookup(DetailsLookup(options, {}), "1"));

  options.shop_service = "http://127.0.0.1:1/shops/{id}";  // nothing listens there
  EXPECT_FALSE(run_shop_lookup(DetailsLookup(options, {}), "1"));
  options.shop_service = "https://secure.example/{id}";
  EXPECT_FALSE(run_shop_lookup(DetailsLookup(options, {}), "1"));
}

TEST(RestLookupService, SlowServicesTimeOut) {
  StubService slow(200, R"({"name":"late"})", 1500ms);
  LookupOptions options;
  options.shop_service = slow.url("/{id}");
  options.timeout = 200ms;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(run_shop_lookup(DetailsLookup(options, {}), "1"));
  // Given up before the answer came: the property, whatever the machine's load (the margin to
  // the 200 ms timeout is not the point).
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1500ms);
}

TEST(RestLookupService, NotConfiguredGivesNothing) {
  DetailsLookup lookup({}, {});
  EXPECT_FALSE(lookup.looks_up_shops());
  EXPECT_FALSE(run_shop_lookup(lookup, "1"));
}

}  // namespace
}  // namespace cz::messenger
