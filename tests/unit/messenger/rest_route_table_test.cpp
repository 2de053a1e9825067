// The route table: matching, and its agreement with docs/openapi.json (embedded in the binary),
// so that every route the server answers is documented and every documented route answered.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <set>
#include <string>

#include "messenger/rest/openapi_document.hpp"
#include "messenger/rest/route_table.hpp"

namespace cz::messenger::rest {
namespace {

TEST(RestRoutes, MatchesFixedPaths) {
  auto m = match_route(Verb::get, "/v1/rooms");
  ASSERT_EQ(m.result, MatchResult::Found);
  EXPECT_EQ(m.route.route->id, RouteId::ListRooms);
  EXPECT_TRUE(m.route.params.empty());

  m = match_route(Verb::post, "/v1/rooms");
  ASSERT_EQ(m.result, MatchResult::Found);
  EXPECT_EQ(m.route.route->id, RouteId::CreateRoom);
  EXPECT_EQ(match_route(Verb::get, "/v1/unread").route.route->id, RouteId::Unread);
  EXPECT_EQ(match_route(Verb::get, "/openapi.json").route.route->id, RouteId::OpenApi);
  EXPECT_FALSE(match_route(Verb::get, "/openapi.json").route.route->authenticated);
}

TEST(RestRoutes, ExtractsPathParameters) {
  auto m = match_route(Verb::post, "/v1/rooms/b%201.s1/pin");
  ASSERT_EQ(m.result, MatchResult::Found);
  EXPECT_EQ(m.route.route->id, RouteId::PinRoom);
  EXPECT_EQ(m.route.param("room_id"), "b%201.s1");  // decoded by the handler, not here
  EXPECT_EQ(m.route.param("nothing"), "");

  m = match_route(Verb::delete_, "/v1/rooms/b1.s1/pin");
  EXPECT_EQ(m.route.route->id, RouteId::UnpinRoom);
  m = match_route(Verb::delete_, "/v1/rooms/b1.s1");
  EXPECT_EQ(m.route.route->id, RouteId::DeleteRoom);
  m = match_route(Verb::put, "/v1/messages/01ABC");
  EXPECT_EQ(m.route.route->id, RouteId::EditMessage);
  EXPECT_EQ(m.route.param("id"), "01ABC");
}

TEST(RestRoutes, IgnoresOneTrailingSlash) {
  EXPECT_EQ(match_route(Verb::get, "/v1/rooms/").result, MatchResult::Found);
  EXPECT_EQ(match_route(Verb::put, "/v1/rooms/a.b/seen/").result, MatchResult::Found);
  EXPECT_EQ(match_route(Verb::get, "/v1/rooms//").result, MatchResult::NoSuchPath);
}

TEST(RestRoutes, UnknownPathsAreNotFound) {
  for (const char* path :
       {"/", "/v1", "/v1/", "/v1/room", "/v1/rooms/a.b/c", "/v1/rooms//pin", "/v1/rooms/a.b/pin/x",
        "/v1/messages/a/b", "/v2/rooms", "/openapi", "/openapi.json/x", "/V1/rooms", ""}) {
    EXPECT_EQ(match_route(Verb::get, path).result, MatchResult::NoSuchPath) << path;
  }
}

TEST(RestRoutes, KnownPathWithAnotherMethodListsTheAllowedOnes) {
  auto m = match_route(Verb::patch, "/v1/rooms/a.b/pin");
  EXPECT_EQ(m.result, MatchResult::MethodNotAllowed);
  EXPECT_EQ(allow_header(m.allowed), "POST, DELETE");
  m = match_route(Verb::put, "/v1/rooms");
  EXPECT_EQ(m.result, MatchResult::MethodNotAllowed);
  EXPECT_EQ(allow_header(m.allowed), "GET, POST");
  m = match_route(Verb::options, "/v1/messages/x");
  EXPECT_EQ(m.result, MatchResult::MethodNotAllowed);  // OPTIONS is answered from `allowed`
  EXPECT_EQ(allow_header(m.allowed), "PUT");
}

// --- the OpenAPI document ------------------------------------------------------------------

rapidjson::Document openapi() {
  rapidjson::Document d;
  const auto text = openapi_document();
  d.Parse(text.data(), text.size());
  EXPECT_FALSE(d.HasParseError()) << "docs/openapi.json is not valid JSON";
  return d;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_method(std::string_view key) {
  for (const char* m : {"get", "put", "post", "delete", "options", "head", "patch", "trace"})
    if (key == m) return true;
  return false;
}

TEST(RestOpenApi, IsAnOpenApi31Document) {
  auto d = openapi();
  ASSERT_TRUE(d.IsObject());
  ASSERT_TRUE(d.HasMember("openapi"));
  EXPECT_STREQ(d["openapi"].GetString(), "3.1.0");
  EXPECT_TRUE(d["info"].HasMember("title"));
  EXPECT_TRUE(d["info"].HasMember("version"));
  EXPECT_TRUE(d["paths"].IsObject());
}

TEST(RestOpenApi, DocumentsExactlyTheRoutesOfTheTable) {
  auto d = openapi();
  std::set<std::string> documented, served;
  for (const auto& path : d["paths"].GetObject())
    for (const auto& item : path.value.GetObject())
      if (is_method(item.name.GetString()))
        documented.insert(std::string(item.name.GetString()) + " " + path.name.GetString());
  for (const RouteSpec& r : route_table())
    served.insert(lower(boost::beast::http::to_string(r.method)) + " " + std::string(r.path));
  EXPECT_EQ(documented, served);
}

TEST(RestOpenApi, EveryAuthenticatedOperationDeclaresBearerAndItsRefusals) {
  auto d = openapi();
  for (const RouteSpec& r : route_table()) {
    const auto& op = d["paths"][std::string(r.path).c_str()]
                      [lower(boost::beast::http::to_string(r.method)).c_str()];
    const std::string where = std::string(r.path) + " " + std::string(to_string(r.method));
    ASSERT_TRUE(op.HasMember("responses")) << where;
    EXPECT_TRUE(op["responses"].HasMember("200")) << where;
    if (!r.authenticated) continue;
    ASSERT_TRUE(op.HasMember("security")) << where;
    EXPECT_TRUE(op["security"][0].HasMember("bearerAuth")) << where;
    for (const char* status : {"400", "401", "403", "500", "503"})
      EXPECT_TRUE(op["responses"].HasMember(status)) << where << " lacks " << status;
    // Path parameters of the template are declared (on the path item or the operation).
    const auto& item = d["paths"][std::string(r.path).c_str()];
    for (auto pos = r.path.find('{'); pos != std::string_view::npos;
         pos = r.path.find('{', pos + 1)) {
      const auto name = r.path.substr(pos + 1, r.path.find('}', pos) - pos - 1);
      EXPECT_TRUE(item.HasMember("parameters")) << where << " does not declare " << name;
    }
  }
}

// Every "$ref" points at something the document defines.
void collect_refs(const rapidjson::Value& v, std::set<std::string>& refs) {
  if (v.IsObject()) {
    for (const auto& m : v.GetObject()) {
      if (std::string_view(m.name.GetString()) == "$ref" && m.value.IsString())
        refs.insert(m.value.GetString());
      else
        collect_refs(m.value, refs);
    }
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray()) collect_refs(e, refs);
  }
}

TEST(RestOpenApi, EveryReferenceResolves) {
  auto d = openapi();
  std::set<std::string> refs;
  collect_refs(d, refs);
  EXPECT_FALSE(refs.empty());
  for (const auto& ref : refs) {
    ASSERT_TRUE(ref.starts_with("#/")) << ref;
    const rapidjson::Value* node = &d;
    std::string_view rest = std::string_view(ref).substr(2);
    while (!rest.empty()) {
      const auto slash = rest.find('/');
      const std::string key(rest.substr(0, slash));
      ASSERT_TRUE(node->IsObject() && node->HasMember(key.c_str())) << ref;
      node = &(*node)[key.c_str()];
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
  }
}

}  // namespace
}  // namespace cz::messenger::rest
