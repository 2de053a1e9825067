#pragma once
// Dispatches requests to handlers by path prefix; the longest matching prefix wins, anything
// else gets a 404 JSON error. Configure it before the server starts: it is read-only afterwards
// and then needs no lock.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "net/http.hpp"

namespace cz::net {

class Router : public HttpHandler {
 public:
  // `prefix` such as "/socket.io/" or "/v1/". An exact path ("/healthz") is a prefix too.
  void add(std::string prefix, std::shared_ptr<HttpHandler> handler);
  // The handler for `path` (no query string), or nullptr.
  HttpHandler* find(std::string_view path) const;
  void handle(std::shared_ptr<HttpExchange> exchange) override;

 private:
  struct Route {
    std::string prefix;
    std::shared_ptr<HttpHandler> handler;
  };
  std::vector<Route> routes_;  // sorted by prefix length, longest first
};

// Answers GET/HEAD with 200 and a fixed text body (e.g. GET /healthz -> "ok"); other methods get
// 405.
class StaticTextHandler : public HttpHandler {
 public:
  explicit StaticTextHandler(std::string body, std::string content_type = "text/plain");
  void handle(std::shared_ptr<HttpExchange> exchange) override;

 private:
  std::string body_;
  std::string content_type_;
};

// The liveness probe: GET /healthz -> 200 "ok". Mount with router.add("/healthz", ...).
std::shared_ptr<HttpHandler> make_health_handler();

// GET /metrics: util/metrics.hpp's registry in the Prometheus text exposition format 0.0.4.
std::shared_ptr<HttpHandler> make_metrics_handler();

// One dependency the readiness probe asks about.
struct ReadinessCheck {
  std::string name;  // shown in the answer: "store", "redis"
  // Starts the check; `done` is called once, from any thread, with "" when the dependency is
  // usable or with the reason it is not.
  std::function<void(std::function<void(std::string problem)> done)> run;
};

// The readiness probe: GET /readyz runs every check at once and answers 200 "ready" when all
// pass, else 503 with one line "NAME: reason" per failed check; a check that has not answered
// within `timeout` fails with "no answer within N ms".
std::shared_ptr<HttpHandler> make_readiness_handler(std::vector<ReadinessCheck> checks,
                                                    std::chrono::milliseconds timeout);

}  // namespace cz::net
