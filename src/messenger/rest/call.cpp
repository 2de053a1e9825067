#include "messenger/rest/call.hpp"

#include <spdlog/spdlog.h>

#include "messenger/metrics.hpp"
#include "messenger/rest/refusal.hpp"

namespace cz::messenger::rest {

namespace http = boost::beast::http;

net::Response json_response(const ReplyHeaders& headers, http::status status, std::string body) {
  net::Response res{status, headers.version};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  if (headers.allow_origin)
    res.set(http::field::access_control_allow_origin, *headers.allow_origin);
  if (headers.vary_origin) res.set(http::field::vary, "Origin");
  res.keep_alive(headers.keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

net::Response refusal_response(const ReplyHeaders& headers, const Error& error) {
  const auto status = status_for(error);
  auto res = json_response(headers, status, render_refusal(error));
  if (status == http::status::unauthorized) res.set(http::field::www_authenticate, "Bearer");
  if (status == http::status::service_unavailable) res.set(http::field::retry_after, "1");
  return res;
}

void Call::ok(std::string json) {
  send(json_response(headers_, http::status::ok, std::move(json)));
}

void Call::fail(const Error& error) {
  if (route.route)
    spdlog::debug("rest: {} {} refused: {} ({})", http::to_string(route.route->method),
                  route.route->path, error.code, error.message);
  messenger_metrics().error(Api::Rest, error.code).inc();
  send(refusal_response(headers_, error));
}

void Call::internal_error(const char* what) {
  spdlog::error("rest: {} failed: {}", route.route ? route.route->path : std::string_view("?"),
                what);
  fail(make_error(code::kInternal, "internal error"));
}

void Call::send(net::Response response) {
  if (responded_.exchange(true)) return;
  exchange_->respond(std::move(response));
}

}  // namespace cz::messenger::rest
