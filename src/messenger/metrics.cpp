#include "messenger/metrics.hpp"

#include <array>
#include <string>

#include "messenger/errors.hpp"
#include "messenger/rest/refusal.hpp"

namespace cz::messenger {

namespace {

// Every code a client can receive (messenger/errors.hpp, messenger/rest/refusal.hpp).
constexpr std::array kCodes = {
    code::kValidationError,
    code::kInvalidJson,
    code::kUnauthorized,
    code::kForbidden,
    code::kRoomNotFound,
    code::kMessageNotFound,
    code::kContentTooLarge,
    code::kUnknownMessageType,
    code::kTooManyIds,
    code::kStoreUnavailable,
    code::kRateLimited,
    code::kUnknownEvent,
    code::kInternal,
    rest::rest_code::kPayloadTooLarge,
    rest::rest_code::kUnsupportedMediaType,
    rest::rest_code::kNotFound,
    rest::rest_code::kMethodNotAllowed,
};

struct ErrorCounters {
  // Per api: one counter per kCodes entry, then "other".
  std::array<std::array<metrics::Counter*, kCodes.size() + 1>, 2> by_api{};
};

const ErrorCounters& error_counters() {
  static const ErrorCounters counters = [] {
    ErrorCounters c;
    for (int api = 0; api < 2; ++api) {
      const std::string api_name = api == 0 ? "socket" : "rest";
      auto add = [&](std::size_t i, std::string code) {
        c.by_api[api][i] = &metrics::registry().counter(
            "cz_errors_total",
            "Refusals sent to clients, by API (socket: ack or error event; rest: HTTP error "
            "body) and error code",
            {{"api", api_name}, {"code", std::move(code)}});
      };
      for (std::size_t i = 0; i < kCodes.size(); ++i) add(i, kCodes[i]);
      add(kCodes.size(), "other");
    }
    return c;
  }();
  return counters;
}

}  // namespace

metrics::Counter& MessengerMetrics::error(Api api, std::string_view code) const {
  const auto& row = error_counters().by_api[api == Api::Socket ? 0 : 1];
  for (std::size_t i = 0; i < kCodes.size(); ++i)
    if (code == kCodes[i]) return *row[i];
  return *row[kCodes.size()];
}

const MessengerMetrics& messenger_metrics() {
  static const MessengerMetrics m = [] {
    auto& r = metrics::registry();
    constexpr const char* stored = "cz_messages_stored_total";
    constexpr const char* help = "New messages committed to the store, by the API they came from";
    error_counters();  // every series exists from the start
    return MessengerMetrics{r.counter(stored, help, {{"api", "socket"}}),
                            r.counter(stored, help, {{"api", "rest"}})};
  }();
  return m;
}

}  // namespace cz::messenger
