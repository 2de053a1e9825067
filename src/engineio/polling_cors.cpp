#include "engineio/polling_cors.hpp"

#include <algorithm>

namespace cz::engineio {

namespace http = net::http;

bool PollingCors::allows(std::string_view origin) const {
  return std::any_of(origins_.begin(), origins_.end(),
                     [&](const std::string& o) { return o == "*" || o == origin; });
}

void PollingCors::apply(const net::Request& request, net::Response& response) const {
  if (!enabled()) return;
  const auto origin = request[http::field::origin];
  // The origin is echoed (never "*") because credentials are allowed; Vary keeps caches honest.
  response.set(http::field::vary, "Origin");
  if (origin.empty() || !allows(origin)) return;
  response.set(http::field::access_control_allow_origin, origin);
  response.set(http::field::access_control_allow_credentials, "true");
}

net::Response PollingCors::preflight(const net::Request& request) const {
  net::Response res{http::status::no_content, request.version()};
  res.keep_alive(request.keep_alive());
  apply(request, res);
  const auto origin = request[http::field::origin];
  if (!origin.empty() && allows(origin)) {
    res.set(http::field::access_control_allow_methods, "GET,HEAD,PUT,PATCH,POST,DELETE");
    const auto requested = request[http::field::access_control_request_headers];
    if (!requested.empty()) {
      res.set(http::field::access_control_allow_headers, requested);
      res.set(http::field::vary, "Origin, Access-Control-Request-Headers");
    }
  }
  res.content_length(0);
  return res;
}

}  // namespace cz::engineio
