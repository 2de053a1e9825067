#pragma once
// One REST request in progress: what the dispatcher checked (route, query, body, caller) and
// the means to answer it exactly once, from whichever thread the answer is ready on.
#include <rapidjson/document.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "messenger/conversation.hpp"
#include "messenger/errors.hpp"
#include "messenger/on_executor.hpp"
#include "messenger/rest/api_cors.hpp"
#include "messenger/rest/bearer.hpp"
#include "messenger/rest/rest.hpp"
#include "messenger/rest/route_table.hpp"
#include "net/http.hpp"
#include "store/store.hpp"
#include "util/query.hpp"

namespace cz::messenger::rest {

// What every request shares: set up once by make_rest_handler, read-only afterwards.
struct Service {
  Service(store::Store& store, const JwtVerifier& jwt, std::shared_ptr<Conversations> conversations,
          RestOptions options)
      : store(store),
        jwt(jwt),
        conversations(std::move(conversations)),
        cors(options.cors_origins),
        room_details(options.room_details
                         ? options.room_details
                         : room_details_source(std::make_shared<const DetailsLookup>(
                               options.lookups, options.details))),
        options(std::move(options)) {}

  store::Store& store;
  const JwtVerifier& jwt;
  const std::shared_ptr<Conversations> conversations;
  const ApiCors cors;
  const RoomDetailsSource room_details;  // null: no lookups configured
  const RestOptions options;
};

// Headers every answer carries, computed from the request once.
struct ReplyHeaders {
  unsigned version = 11;
  bool keep_alive = true;
  std::optional<std::string> allow_origin;  // Access-Control-Allow-Origin
  bool vary_origin = false;
};

// Builds a JSON response.
net::Response json_response(const ReplyHeaders& headers, boost::beast::http::status status,
                            std::string body);
// A refusal, with the headers its status calls for (WWW-Authenticate, Retry-After).
net::Response refusal_response(const ReplyHeaders& headers, const Error& error);

class Call : public std::enable_shared_from_this<Call> {
 public:
  Call(std::shared_ptr<const Service> service, std::shared_ptr<net::HttpExchange> exchange,
       ReplyHeaders headers, RouteMatch route, query::Params query, rapidjson::Document body,
       Caller caller)
      : service_(std::move(service)),
        exchange_(std::move(exchange)),
        headers_(std::move(headers)),
        route(std::move(route)),
        query(std::move(query)),
        body(std::move(body)),
        caller(std::move(caller)) {}

  const Service& service() const { return *service_; }
  const RestOptions& options() const { return service_->options; }
  store::Store& store() const { return service_->store; }
  const RoomDetailsSource& room_details() const { return service_->room_details; }
  // The request's I/O thread.
  boost::asio::any_io_executor executor() const { return exchange_->executor(); }
  Conversations& conversations() const { return *service_->conversations; }

  // 200 with `json`.
  void ok(std::string json);
  void fail(const Error& error);
  // A store error as the client may see it.
  void fail_store(const Error& error) { fail(client_error_from_store(error)); }

  // A store callback that runs `handler(Result<T>)` on the request's I/O thread (rendering
  // stays off the store's threads). An exception in `handler` becomes a 500.
  template <typename T, typename F>
  store::Callback<T> then(F handler) {
    return on_executor<T>(exchange_->executor(), here<T>(std::move(handler)));
  }

  // A callback that runs `handler(Result<T>)` where it is called (Conversations calls it on the
  // room's home shard), guarded as then() is.
  template <typename T, typename F>
  store::Callback<T> here(F handler) {
    return [self = shared_from_this(), handler = std::move(handler)](Result<T> result) mutable {
      self->guarded([&] { handler(std::move(result)); });
    };
  }

  // Runs `fn`, turning an escaping exception into a 500 for this request.
  template <typename Fn>
  void guarded(Fn&& fn) {
    try {
      fn();
    } catch (const std::exception& e) {
      internal_error(e.what());
    } catch (...) {
      internal_error("unknown exception");
    }
  }

 private:
  void internal_error(const char* what);
  void send(net::Response response);

  std::shared_ptr<const Service> service_;
  std::shared_ptr<net::HttpExchange> exchange_;
  ReplyHeaders headers_;
  std::atomic<bool> responded_{false};

 public:
  const RouteMatch route;
  const query::Params query;
  const rapidjson::Document body;  // {} unless the route takes a body
  const Caller caller;
};

using CallPtr = std::shared_ptr<Call>;

}  // namespace cz::messenger::rest
