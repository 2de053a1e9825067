// The dispatcher: CORS and preflight, route matching, body limit, authentication, then the
// route's handler. Everything here runs on the request's I/O thread and never blocks.
#include <spdlog/spdlog.h>

#include "messenger/rest/body.hpp"
#include "messenger/rest/call.hpp"
#include "messenger/rest/handlers.hpp"
#include "messenger/rest/openapi_document.hpp"
#include "messenger/rest/refusal.hpp"
#include "messenger/rest/rest.hpp"
#include "util/time.hpp"

namespace cz::messenger::rest {
namespace {

namespace http = boost::beast::http;

std::optional<std::string_view> header(const net::Request& req, http::field field) {
  const auto it = req.find(field);
  if (it == req.end()) return std::nullopt;
  return std::string_view(it->value().data(), it->value().size());
}

bool takes_body(Verb method) {
  return method == Verb::post || method == Verb::put || method == Verb::delete_;
}

class RestHandler final : public net::HttpHandler {
 public:
  explicit RestHandler(std::shared_ptr<const Service> service) : service_(std::move(service)) {}

  void handle(std::shared_ptr<net::HttpExchange> exchange) override {
    const net::Request& req = exchange->request();
    ReplyHeaders headers;
    headers.version = req.version();
    headers.keep_alive = req.keep_alive();
    headers.allow_origin = service_->cors.allow_origin(header(req, http::field::origin));
    headers.vary_origin = service_->cors.varies_by_origin();
    try {
      dispatch(exchange, headers);
    } catch (const std::exception& e) {
      // Before a Call exists nothing has answered yet.
      spdlog::error("rest: request failed: {}", e.what());
      exchange->respond(refusal_response(headers, make_error(code::kInternal, "internal error")));
    }
  }

 private:
  void dispatch(const std::shared_ptr<net::HttpExchange>& exchange, const ReplyHeaders& headers) {
    const net::Request& req = exchange->request();
    const std::string_view target(req.target().data(), req.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    Match match = match_route(req.method(), path);

    auto refuse = [&](const Error& e) { exchange->respond(refusal_response(headers, e)); };
    if (match.result == MatchResult::NoSuchPath)
      return refuse(make_error(rest_code::kNotFound, "no such route"));
    if (req.method() == Verb::options) return exchange->respond(preflight(req, headers, match));
    if (match.result == MatchResult::MethodNotAllowed) {
      auto res = refusal_response(
          headers, make_error(rest_code::kMethodNotAllowed, "method not allowed on this path"));
      res.set(http::field::allow, allow_header(match.allowed));
      return exchange->respond(std::move(res));
    }
    const RouteSpec& route = *match.route.route;
    if (route.id == RouteId::OpenApi)
      return exchange->respond(
          json_response(headers, http::status::ok, std::string(openapi_document())));

    const auto& options = service_->options;
    // The body limit comes first: an oversized request is refused before any work on it.
    if (req.body().size() > options.max_body_bytes)
      return refuse(make_error(
          rest_code::kPayloadTooLarge,
          "request body is larger than " + std::to_string(options.max_body_bytes) + " bytes"));
    auto caller = authenticate(header(req, http::field::authorization), service_->jwt, now_ms(),
                               options.limits.max_id_bytes);
    if (!caller) return refuse(caller.error());
    auto query = query::Params::parse_strict(target);
    if (!query) return refuse(query.error());
    rapidjson::Document body;
    body.SetObject();
    if (takes_body(route.method)) {
      auto parsed = parse_json_body(req.body(), header(req, http::field::content_type),
                                    options.max_body_bytes);
      if (!parsed) return refuse(parsed.error());
      body = std::move(*parsed);
    }
    auto call = std::make_shared<Call>(service_, exchange, headers, std::move(match.route),
                                       std::move(*query), std::move(body), std::move(*caller));
    call->guarded([&] { run(call); });
  }

  static void run(const CallPtr& call) {
    switch (call->route.route->id) {
      case RouteId::ListRooms:
        return list_rooms(call);
      case RouteId::CreateRoom:
        return create_room(call);
      case RouteId::GetRoom:
        return get_room(call);
      case RouteId::DeleteRoom:
        return delete_room(call);
      case RouteId::EnableRoom:
        return enable_room(call);
      case RouteId::PinRoom:
        return pin_room(call, true);
      case RouteId::UnpinRoom:
        return pin_room(call, false);
      case RouteId::MarkRoomSeen:
        return mark_room_seen(call);
      case RouteId::ListMessages:
        return list_messages(call);
      case RouteId::PostMessage:
        return post_message(call);
      case RouteId::EditMessage:
        return edit_message(call);
      case RouteId::Unread:
        return unread(call);
      case RouteId::OpenApi:
        break;  // answered by the dispatcher
    }
    call->fail(make_error(rest_code::kNotFound, "no such route"));
  }

  // OPTIONS: the methods of the path; for a CORS preflight from an allowed origin also what
  // the browser may send. A disallowed origin gets no CORS headers, which the browser reads
  // as a refusal.
  static net::Response preflight(const net::Request& req, const ReplyHeaders& headers,
                                 const Match& match) {
    net::Response res{http::status::no_content, headers.version};
    res.keep_alive(headers.keep_alive);
    std::string methods = allow_header(match.allowed) + ", OPTIONS";
    res.set(http::field::allow, methods);
    if (headers.allow_origin && req.find(http::field::access_control_request_method) != req.end()) {
      res.set(http::field::access_control_allow_origin, *headers.allow_origin);
      res.set(http::field::access_control_allow_methods, methods);
      res.set(http::field::access_control_allow_headers, ApiCors::kAllowHeaders);
      res.set(http::field::access_control_max_age, ApiCors::kMaxAgeSeconds);
    }
    if (headers.vary_origin) res.set(http::field::vary, "Origin");
    res.prepare_payload();
    return res;
  }

  std::shared_ptr<const Service> service_;
};

}  // namespace

std::shared_ptr<net::HttpHandler> make_rest_handler(store::Store& store, const JwtVerifier& jwt,
                                                    std::shared_ptr<Conversations> conversations,
                                                    RestOptions options) {
  auto service =
      std::make_shared<const Service>(store, jwt, std::move(conversations), std::move(options));
  return std::make_shared<RestHandler>(std::move(service));
}

void install(net::Router& router, store::Store& store, const JwtVerifier& jwt,
             std::shared_ptr<Conversations> conversations, RestOptions options) {
  auto handler = make_rest_handler(store, jwt, std::move(conversations), std::move(options));
  router.add("/v1/", handler);
  router.add("/openapi.json", handler);
}

}  // namespace cz::messenger::rest
