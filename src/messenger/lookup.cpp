#include "messenger/lookup.hpp"

#include <rapidjson/document.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <charconv>

namespace cz::messenger {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (is_unreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

// The object with the details: the answer itself, or its `data` member (a common envelope).
const rapidjson::Value* details_object(const rapidjson::Document& doc) {
  if (!doc.IsObject()) return nullptr;
  const auto data = doc.FindMember("data");
  if (data != doc.MemberEnd() && data->value.IsObject()) return &data->value;
  return &doc;
}

std::optional<std::string> from_answer(std::string_view body, const DetailLimits& limits,
                                       Result<std::string> (*check)(const rapidjson::Value*,
                                                                    const DetailLimits&)) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(body.data(),
                                                                                    body.size());
  if (doc.HasParseError()) return std::nullopt;
  const rapidjson::Value* details = details_object(doc);
  if (!details) return std::nullopt;
  auto json = check(details, limits);
  if (!json) return std::nullopt;
  return std::move(*json);
}

}  // namespace

std::optional<HttpUrl> parse_http_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  url.remove_prefix(kScheme.size());
  const auto path_at = url.find_first_of("/?");
  std::string_view authority = url.substr(0, path_at);
  HttpUrl out;
  out.target = path_at == std::string_view::npos ? "/" : std::string(url.substr(path_at));
  if (out.target.front() == '?') out.target.insert(0, "/");
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  const auto colon = authority.rfind(':');
  const bool bracketed = authority.front() == '[';
  if (colon != std::string_view::npos && (!bracketed || colon > authority.find(']'))) {
    const auto port_text = authority.substr(colon + 1);
    unsigned port = 0;
    const auto [ptr, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() ||
        port == 0 || port > 65535)
      return std::nullopt;
    out.port = static_cast<std::uint16_t>(port);
    authority = authority.substr(0, colon);
  }
  if (bracketed) {
    if (authority.size() < 3 || authority.back() != ']') return std::nullopt;
    authority = authority.substr(1, authority.size() - 2);
  }
  if (authority.empty()) return std::nullopt;
  out.host = std::string(authority);
  return out;
}

std::string expand_url_template(std::string_view url_template, std::string_view id) {
  const std::string encoded = percent_encode(id);
  const auto at = url_template.find("{id}");
  if (at == std::string_view::npos) {
    std::string out(url_template);
    if (out.empty() || out.back() != '/') out.push_back('/');
    return out + encoded;
  }
  return std::string(url_template.substr(0, at)) + encoded +
         std::string(url_template.substr(at + 4));
}

std::optional<std::string> shop_from_answer(std::string_view body, const DetailLimits& limits) {
  return from_answer(body, limits, [](const rapidjson::Value* v, const DetailLimits& l) {
    return shop_json(v, l);
  });
}

std::optional<std::string> buyer_info_from_answer(std::string_view body,
                                                  const DetailLimits& limits) {
  return from_answer(body, limits, [](const rapidjson::Value* v, const DetailLimits& l) {
    return buyer_info_json(v, l);
  });
}

DetailsLookup::DetailsLookup(LookupOptions options, DetailLimits limits)
    : options_(std::move(options)), limits_(limits), cache_(std::make_shared<Cache>()) {}

void DetailsLookup::shop(const std::string& shop_id, boost::asio::any_io_executor executor,
                         Done done) const {
  fetch('s', options_.shop_service, shop_id, &shop_from_answer, std::move(executor),
        std::move(done));
}

void DetailsLookup::buyer(const std::string& user_id, boost::asio::any_io_executor executor,
                          Done done) const {
  fetch('b', options_.account_service, user_id, &buyer_info_from_answer, std::move(executor),
        std::move(done));
}

void DetailsLookup::fetch(char kind, const std::string& url_template, const std::string& id,
                          Parse parse, boost::asio::any_io_executor executor, Done done) const {
  if (url_template.empty() || id.empty()) {
    boost::asio::post(executor, [done = std::move(done)] { done(std::nullopt); });
    return;
  }
  const std::string key = std::string(1, kind) + id;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(cache_->mutex);
    const auto it = cache_->entries.find(key);
    if (it != cache_->entries.end() && it->second.expires > now) {
      boost::asio::post(executor, [done = std::move(done), json = it->second.json] { done(json); });
      return;
    }
  }
  const std::string url_text = expand_url_template(url_template, id);
  const auto url = parse_http_url(url_text);
  if (!url) {
    spdlog::warn("rest: lookup URL {} is not an http:// URL", url_text);
    boost::asio::post(executor, [done = std::move(done)] { done(std::nullopt); });
    return;
  }
  http_get(executor, *url, options_.timeout, options_.max_response_bytes,
           [cache = cache_, key, url_text, parse, limits = limits_, ttl = options_.cache_ttl,
            max_entries = options_.cache_entries,
            done = std::move(done)](unsigned status, std::string body) {
             std::optional<std::string> json;
             if (status == 200) json = parse(body, limits);
             if (!json) {
               spdlog::warn("rest: lookup {} gave no details (HTTP status {})", url_text, status);
               return done(std::nullopt);
             }
             {
               std::lock_guard lock(cache->mutex);
               // A full cache is emptied rather than tracked by age: lookups happen only when
               // rooms are created, so refilling it is cheap.
               if (cache->entries.size() >= max_entries) cache->entries.clear();
               cache->entries[key] = {*json, std::chrono::steady_clock::now() + ttl};
             }
             done(std::move(json));
           });
}

RoomDetailsSource room_details_source(std::shared_ptr<const DetailsLookup> lookup) {
  if (!lookup || (!lookup->looks_up_shops() && !lookup->looks_up_buyers())) return nullptr;
  return [lookup](std::shared_ptr<store::CreateRoom> room, boost::asio::any_io_executor executor,
                  std::function<void()> done) {
    lookup->shop(room->shop_id, executor,
                 [lookup, room, executor, done = std::move(done)](std::optional<std::string> shop) {
                   if (shop) room->shop_json = std::move(*shop);
                   lookup->buyer(room->buyer, executor,
                                 [room, done = std::move(done)](std::optional<std::string> info) {
                                   if (info) room->buyer_info_json = std::move(*info);
                                   done();
                                 });
                 });
  };
}

}  // namespace cz::messenger
