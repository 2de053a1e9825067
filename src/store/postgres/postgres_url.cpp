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

std::size_t parse_readers(std::string_view value) {
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < 1 || n > 64) {
    throw bad_url("readers must be a number from 1 to 64");
  }
  return n;
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
    if (eq != std::string_view::npos && pair.substr(0, eq) == "readers") {
      options.reader_connections = parse_readers(pair.substr(eq + 1));
    } else if (!pair.empty()) {
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
