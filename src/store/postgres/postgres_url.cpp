#include "store/postgres/postgres_url.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <stdexcept>
#include <string_view>

namespace cz::store::postgres {
namespace {

std::runtime_error bad_url(std::string_view why) {
  return std::runtime_error(fmt::format("invalid store URL: {}", why));
}

// A whole decimal number in [lo, hi], else bad_url(why).
std::size_t parse_number(std::string_view value, std::size_t lo, std::size_t hi,
                         std::string_view why) {
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < lo || n > hi) {
    throw bad_url(why);
  }
  return n;
}

// The store's own options; false for a parameter that is libpq's.
bool take_own_param(std::string_view key, std::string_view value, PostgresOptions& options) {
  if (key == "readers") {
    options.reader_connections =
        parse_number(value, 1, 64, "readers must be a number from 1 to 64");
  } else if (key == "queue_wait_ms") {
    options.queue_wait = std::chrono::milliseconds(
        parse_number(value, 10, 600'000, "queue_wait_ms must be a number from 10 to 600000"));
  } else if (key == "queue_bytes") {
    options.max_queued_bytes = parse_number(value, 4096, std::size_t{1} << 40,
                                            "queue_bytes must be a number from 4096 to 2^40");
  } else if (key == "commit_window_us") {
    options.commit_window = std::chrono::microseconds(
        parse_number(value, 0, 100'000, "commit_window_us must be a number from 0 to 100000"));
  } else if (key == "pipeline") {
    if (value != "0" && value != "1") throw bad_url("pipeline must be 0 or 1");
    options.pipeline = value == "1";
  } else {
    return false;
  }
  return true;
}

// Moves the store's own parameters out of the query string into `options`; libpq gets the rest.
std::string take_own_params(const std::string& url, PostgresOptions& options) {
  const std::size_t q = url.find('?');
  if (q == std::string::npos) return url;
  std::string kept;
  std::string_view params = std::string_view(url).substr(q + 1);
  while (!params.empty()) {
    const std::size_t amp = params.find('&');
    const std::string_view pair = params.substr(0, amp);
    const std::size_t eq = pair.find('=');
    const bool own = eq != std::string_view::npos &&
                     take_own_param(pair.substr(0, eq), pair.substr(eq + 1), options);
    if (!own && !pair.empty()) {
      kept.append(kept.empty() ? "" : "&").append(pair);
    }
    params = amp == std::string_view::npos ? std::string_view() : params.substr(amp + 1);
  }
  return kept.empty() ? url.substr(0, q) : url.substr(0, q + 1) + kept;
}

}  // namespace

PostgresOptions parse_postgres_url(const std::string& url) {
  PostgresOptions options;
  options.url = take_own_params(url, options);
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(options.url.c_str(), &error);
  if (!parsed) {
    std::string why = error ? error : "out of memory";
    if (error) PQfreemem(error);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw bad_url(fmt::format("postgres: {}", why));
  }
  PQconninfoFree(parsed);
  return options;
}

}  // namespace cz::store::postgres
