#include "net/router.hpp"

#include <algorithm>

#include "net/http_util.hpp"

namespace cz::net {

void Router::add(std::string prefix, std::shared_ptr<HttpHandler> handler) {
  routes_.push_back(Route{std::move(prefix), std::move(handler)});
  std::stable_sort(routes_.begin(), routes_.end(), [](const Route& a, const Route& b) {
    return a.prefix.size() > b.prefix.size();
  });
}

HttpHandler* Router::find(std::string_view path) const {
  for (const auto& route : routes_)
    if (path.starts_with(route.prefix)) return route.handler.get();
  return nullptr;
}

void Router::handle(std::shared_ptr<HttpExchange> exchange) {
  const auto path = target_path(exchange->request().target());
  if (HttpHandler* handler = find(path)) {
    handler->handle(std::move(exchange));
    return;
  }
  exchange->respond(
      make_json_error(exchange->request(), http::status::not_found, "NOT_FOUND", "Not found"));
}

StaticTextHandler::StaticTextHandler(std::string body, std::string content_type)
    : body_(std::move(body)), content_type_(std::move(content_type)) {}

void StaticTextHandler::handle(std::shared_ptr<HttpExchange> exchange) {
  const auto& req = exchange->request();
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    auto res = make_json_error(req, http::status::method_not_allowed, "METHOD_NOT_ALLOWED",
                               "Method not allowed");
    res.set(http::field::allow, "GET, HEAD");
    exchange->respond(std::move(res));
    return;
  }
  exchange->respond(make_response(req, http::status::ok, body_, content_type_));
}

std::shared_ptr<HttpHandler> make_health_handler() {
  return std::make_shared<StaticTextHandler>("ok");
}

}  // namespace cz::net
