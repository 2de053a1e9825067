#include "net/router.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <mutex>

#include "net/http_util.hpp"
#include "util/metrics.hpp"

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
  if (refuse_unless_get_or_head(*exchange)) return;
  exchange->respond(make_response(exchange->request(), http::status::ok, body_, content_type_));
}

std::shared_ptr<HttpHandler> make_health_handler() {
  return std::make_shared<StaticTextHandler>("ok");
}

namespace {

class MetricsHandler : public HttpHandler {
 public:
  void handle(std::shared_ptr<HttpExchange> exchange) override {
    if (refuse_unless_get_or_head(*exchange)) return;
    exchange->respond(make_response(exchange->request(), http::status::ok,
                                    metrics::registry().render(),
                                    "text/plain; version=0.0.4; charset=utf-8"));
  }
};

// One /readyz request: the checks' answers as they come, and the timer that ends the wait.
class ReadinessRound : public std::enable_shared_from_this<ReadinessRound> {
 public:
  ReadinessRound(std::shared_ptr<HttpExchange> exchange, const std::vector<ReadinessCheck>& checks)
      : exchange_(std::move(exchange)),
        checks_(checks),
        problems_(checks.size()),
        answered_(checks.size(), false),
        timer_(exchange_->executor()) {}

  void start(std::chrono::milliseconds timeout) {
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this(), timeout](const boost::system::error_code& ec) {
      if (!ec) self->time_out(timeout);
    });
    for (std::size_t i = 0; i < checks_.size(); ++i)
      checks_[i].run([self = shared_from_this(), i](std::string problem) {
        self->answer(i, std::move(problem));
      });
    if (checks_.empty()) finish_if_done();
  }

 private:
  void answer(std::size_t i, std::string problem) {
    std::lock_guard lock(mutex_);
    if (answered_[i]) return;
    answered_[i] = true;
    problems_[i] = std::move(problem);
    ++answers_;
    finish_locked();
  }

  void time_out(std::chrono::milliseconds timeout) {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < checks_.size(); ++i) {
      if (answered_[i]) continue;
      answered_[i] = true;
      problems_[i] = "no answer within " + std::to_string(timeout.count()) + " ms";
      ++answers_;
    }
    finish_locked();
  }

  void finish_if_done() {
    std::lock_guard lock(mutex_);
    finish_locked();
  }

  void finish_locked() {
    if (responded_ || answers_ < checks_.size()) return;
    responded_ = true;
    // Cancelled from the exchange's own thread: the timer is not thread-safe.
    boost::asio::post(timer_.get_executor(),
                      [self = shared_from_this()] { self->timer_.cancel(); });
    std::string body;
    for (std::size_t i = 0; i < checks_.size(); ++i)
      if (!problems_[i].empty()) body += checks_[i].name + ": " + problems_[i] + "\n";
    const bool ready = body.empty();
    exchange_->respond(make_response(exchange_->request(),
                                     ready ? http::status::ok : http::status::service_unavailable,
                                     ready ? "ready\n" : "not ready\n" + body, "text/plain"));
  }

  std::shared_ptr<HttpExchange> exchange_;
  const std::vector<ReadinessCheck> checks_;  // a copy: a late answer may outlive the handler
  std::mutex mutex_;
  std::vector<std::string> problems_;
  std::vector<bool> answered_;
  std::size_t answers_ = 0;
  bool responded_ = false;
  boost::asio::steady_timer timer_;
};

class ReadinessHandler : public HttpHandler {
 public:
  ReadinessHandler(std::vector<ReadinessCheck> checks, std::chrono::milliseconds timeout)
      : checks_(std::move(checks)), timeout_(timeout) {}

  void handle(std::shared_ptr<HttpExchange> exchange) override {
    if (refuse_unless_get_or_head(*exchange)) return;
    std::make_shared<ReadinessRound>(std::move(exchange), checks_)->start(timeout_);
  }

 private:
  std::vector<ReadinessCheck> checks_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::shared_ptr<HttpHandler> make_metrics_handler() {
  return std::make_shared<MetricsHandler>();
}

std::shared_ptr<HttpHandler> make_readiness_handler(std::vector<ReadinessCheck> checks,
                                                    std::chrono::milliseconds timeout) {
  return std::make_shared<ReadinessHandler>(std::move(checks), timeout);
}

}  // namespace cz::net
