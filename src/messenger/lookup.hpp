#pragma once
// Optional lookups of room details in the marketplace's services, as the original fetched the
// shop (and the buyer's name) when a room was created. Configured by URL templates:
//
//   shop_service    "http://shops.internal/v1/shops/{id}"     {id} = the room's shop_id
//   account_service "http://accounts.internal/v1/users/{id}"  {id} = the buyer's user id
//
// (without "{id}", "/<id>" is appended). The answer must be a JSON object — or an envelope whose
// `data` member is one — with at least `name` for a shop; for a buyer the fields name, avatar,
// phone_number and email are taken. What a service returns replaces what the client sent; when
// a service is down, slow (timeout) or answers anything else, the client's details are kept and
// the room is created anyway. Successful answers are cached for cache_ttl.
//
// Plain http:// only (services on the internal network). Requests run on the caller's executor,
// never blocking it.
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "messenger/room_details.hpp"
#include "messenger/room_details_source.hpp"

namespace cz::messenger {

struct LookupOptions {
  std::string shop_service;     // empty: no shop lookup
  std::string account_service;  // empty: no buyer lookup
  std::chrono::milliseconds timeout{2000};
  std::chrono::seconds cache_ttl{300};
  std::size_t cache_entries = 10000;
  std::size_t max_response_bytes = 64 * 1024;
};

// --- pure parts ----------------------------------------------------------------------------

struct HttpUrl {
  std::string host;
  std::uint16_t port = 80;
  std::string target;  // path and query, starting with '/'
};
// "http://host[:port][/path][?query]"; nullopt for anything else (https included).
std::optional<HttpUrl> parse_http_url(std::string_view url);

// The URL for `id`: "{id}" replaced by the percent-encoded id, or "/<id>" appended.
std::string expand_url_template(std::string_view url_template, std::string_view id);

// The details in a service's answer, as JSON to store (validated like a client's), or nullopt.
std::optional<std::string> shop_from_answer(std::string_view body, const DetailLimits& limits);
std::optional<std::string> buyer_info_from_answer(std::string_view body,
                                                  const DetailLimits& limits);

// --- the lookups ---------------------------------------------------------------------------

class DetailsLookup {
 public:
  using Done = std::function<void(std::optional<std::string> json)>;

  DetailsLookup(LookupOptions options, DetailLimits limits);

  bool looks_up_shops() const { return !options_.shop_service.empty(); }
  bool looks_up_buyers() const { return !options_.account_service.empty(); }

  // `done` runs on `executor` with the details, or nullopt when there are none to be had.
  void shop(const std::string& shop_id, boost::asio::any_io_executor executor, Done done) const;
  void buyer(const std::string& user_id, boost::asio::any_io_executor executor, Done done) const;

 private:
  using Parse = std::optional<std::string> (*)(std::string_view, const DetailLimits&);
  void fetch(char kind, const std::string& url_template, const std::string& id, Parse parse,
             boost::asio::any_io_executor executor, Done done) const;

  // Shared with requests in flight; const methods fill it (it is behind a pointer).
  struct Cache {
    struct Entry {
      std::string json;
      std::chrono::steady_clock::time_point expires;
    };
    std::mutex mutex;
    std::unordered_map<std::string, Entry> entries;
  };

  const LookupOptions options_;
  const DetailLimits limits_;
  std::shared_ptr<Cache> cache_;
};

// The lookups as the socket handlers take them (messenger::Options::room_details): the shop,
// then the buyer, each replacing the client's details when its service answers. Null when
// neither service is configured.
RoomDetailsSource room_details_source(std::shared_ptr<const DetailsLookup> lookup);

// One GET; `done(status, body)` on `executor`, status 0 on a network error or timeout.
void http_get(boost::asio::any_io_executor executor, const HttpUrl& url,
              std::chrono::milliseconds timeout, std::size_t max_body_bytes,
              std::function<void(unsigned status, std::string body)> done);

}  // namespace cz::messenger
