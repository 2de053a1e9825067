#pragma once
// Every route the REST layer answers, in one table: the dispatcher matches requests against it
// and a unit test compares it with the `paths` of docs/openapi.json, so that the document and
// the server cannot drift apart.
//
// Paths are OpenAPI templates ("/v1/rooms/{room_id}"): a `{name}` segment matches one non-empty
// path segment. Matching is pure (method and path in, route and parameters out).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/verb.hpp>

namespace cz::messenger::rest {

using Verb = boost::beast::http::verb;

enum class RouteId {
  ListRooms,
  CreateRoom,
  GetRoom,
  DeleteRoom,
  EnableRoom,
  PinRoom,
  UnpinRoom,
  MarkRoomSeen,
  ListMessages,
  PostMessage,
  EditMessage,
  Unread,
  OpenApi,
};

struct RouteSpec {
  Verb method;
  std::string_view path;  // OpenAPI path template
  RouteId id;
  bool authenticated;  // needs a Bearer token
};

// The table, in the order the document lists the routes.
std::span<const RouteSpec> route_table();

struct RouteMatch {
  const RouteSpec* route = nullptr;
  // Values of the template's `{name}` segments, in order, still percent-encoded.
  std::vector<std::pair<std::string_view, std::string_view>> params;

  // The raw value of path parameter `name`; empty when there is none.
  std::string_view param(std::string_view name) const;
};

enum class MatchResult { Found, NoSuchPath, MethodNotAllowed };

struct Match {
  MatchResult result = MatchResult::NoSuchPath;
  RouteMatch route;           // when Found
  std::vector<Verb> allowed;  // the methods the path answers (Found or MethodNotAllowed)
};

// Matches `path` (no query string; one trailing slash is ignored) and `method`. OPTIONS is
// never Found: the dispatcher answers it from `allowed`.
Match match_route(Verb method, std::string_view path);

// "GET, POST" for an Allow header (OPTIONS is appended by the caller when it answers it).
std::string allow_header(const std::vector<Verb>& methods);

}  // namespace cz::messenger::rest
