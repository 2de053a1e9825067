#include "messenger/rest/route_table.hpp"

#include <array>

namespace cz::messenger::rest {
namespace {

constexpr std::array kRoutes{
    RouteSpec{Verb::get, "/v1/rooms", RouteId::ListRooms, true},
    RouteSpec{Verb::post, "/v1/rooms", RouteId::CreateRoom, true},
    RouteSpec{Verb::get, "/v1/rooms/{room_id}", RouteId::GetRoom, true},
    RouteSpec{Verb::delete_, "/v1/rooms/{room_id}", RouteId::DeleteRoom, true},
    RouteSpec{Verb::put, "/v1/rooms/{room_id}/enable", RouteId::EnableRoom, true},
    RouteSpec{Verb::post, "/v1/rooms/{room_id}/pin", RouteId::PinRoom, true},
    RouteSpec{Verb::delete_, "/v1/rooms/{room_id}/pin", RouteId::UnpinRoom, true},
    RouteSpec{Verb::put, "/v1/rooms/{room_id}/seen", RouteId::MarkRoomSeen, true},
    RouteSpec{Verb::get, "/v1/messages", RouteId::ListMessages, true},
    RouteSpec{Verb::post, "/v1/messages", RouteId::PostMessage, true},
    RouteSpec{Verb::put, "/v1/messages/{id}", RouteId::EditMessage, true},
    RouteSpec{Verb::get, "/v1/unread", RouteId::Unread, true},
    RouteSpec{Verb::get, "/openapi.json", RouteId::OpenApi, false},
};

// Splits off the next segment of `rest` (which starts after a '/'); `rest` moves past it.
std::string_view next_segment(std::string_view& rest) {
  const auto slash = rest.find('/');
  std::string_view segment = rest.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  return segment;
}

// Matches a template against a path; fills `params` on success.
bool match_template(std::string_view tmpl, std::string_view path,
                    std::vector<std::pair<std::string_view, std::string_view>>& params) {
  params.clear();
  if (tmpl.empty() || path.empty() || tmpl[0] != '/' || path[0] != '/') return false;
  std::string_view t = tmpl.substr(1), p = path.substr(1);
  while (true) {
    const bool t_done = t.empty(), p_done = p.empty();
    if (t_done || p_done) return t_done && p_done;
    const auto ts = next_segment(t);
    const auto ps = next_segment(p);
    if (ts.size() >= 2 && ts.front() == '{' && ts.back() == '}') {
      if (ps.empty()) return false;
      params.emplace_back(ts.substr(1, ts.size() - 2), ps);
    } else if (ts != ps) {
      return false;
    }
  }
}

}  // namespace

std::span<const RouteSpec> route_table() {
  return kRoutes;
}

std::string_view RouteMatch::param(std::string_view name) const {
  for (const auto& [key, value] : params)
    if (key == name) return value;
  return {};
}

Match match_route(Verb method, std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  // An empty segment ("//" anywhere, or a second trailing slash) is never a route.
  if (path.find("//") != std::string_view::npos || path.ends_with('/')) return {};
  Match m;
  std::vector<std::pair<std::string_view, std::string_view>> params;
  for (const RouteSpec& spec : kRoutes) {
    if (!match_template(spec.path, path, params)) continue;
    m.allowed.push_back(spec.method);
    if (spec.method == method && m.result != MatchResult::Found) {
      m.result = MatchResult::Found;
      m.route = RouteMatch{&spec, params};
    }
  }
  if (m.result != MatchResult::Found && !m.allowed.empty())
    m.result = MatchResult::MethodNotAllowed;
  return m;
}

std::string allow_header(const std::vector<Verb>& methods) {
  std::string out;
  for (Verb v : methods) {
    if (!out.empty()) out += ", ";
    const auto name = boost::beast::http::to_string(v);
    out.append(name.data(), name.size());
  }
  return out;
}

}  // namespace cz::messenger::rest
