#pragma once
// The REST API (/v1, the original service's routes) and its OpenAPI document. One entry point
// for main:
//
//   messenger::rest::RestOptions rest_options;
//   rest_options.cors_origins = config.cors_origins;        // as for the Socket.IO server
//   rest_options.limits = messenger_options.limits;         // the socket's limits
//   messenger::rest::install(router, *store, jwt_verifier, messenger->conversations(),
//                            std::move(rest_options));
//
// It mounts "/v1/" and "/openapi.json" on the router (before the server starts). `store` and
// `jwt` must outlive every request in flight: shut the store down (its last callbacks run the
// REST continuations) before destroying the verifier or the IoPool. Changes that announce
// something (a message, seen, a room created, deleted, enabled, an edit) go through the same
// messenger::Conversations as the socket handlers', so both paths store, order and announce
// alike.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "messenger/conversation.hpp"
#include "messenger/jwt.hpp"
#include "messenger/lookup.hpp"
#include "messenger/rest/params.hpp"
#include "messenger/room_details.hpp"
#include "messenger/validate.hpp"
#include "net/http.hpp"
#include "net/router.hpp"
#include "store/store.hpp"

namespace cz::messenger::rest {

struct RestOptions {
  // Allowed browser origins (--cors-origin); empty: no CORS headers; "*": any origin.
  std::vector<std::string> cors_origins;
  // Field limits shared with the socket API (content size, id lengths...).
  Limits limits;
  // Request bodies over this get 413 (the HTTP server has its own, larger, limit too).
  std::size_t max_body_bytes = 64 * 1024;
  PageLimits pages;
  DetailLimits details;
  std::size_t max_name_filter_bytes = 256;  // GET /v1/rooms?name=
  // Shop and buyer details from the marketplace's services (--shop-service, --account-service);
  // off unless their URLs are set.
  LookupOptions lookups;
  // The lookups already built for the socket handlers (one cache for both); null: built here
  // from `lookups`.
  RoomDetailsSource room_details;
};

// Mounts the API on `router` (see above).
void install(net::Router& router, store::Store& store, const JwtVerifier& jwt,
             std::shared_ptr<Conversations> conversations, RestOptions options);

// The handler install() mounts (tests build Conversations over a recording Broadcast).
std::shared_ptr<net::HttpHandler> make_rest_handler(store::Store& store, const JwtVerifier& jwt,
                                                    std::shared_ptr<Conversations> conversations,
                                                    RestOptions options);

}  // namespace cz::messenger::rest
