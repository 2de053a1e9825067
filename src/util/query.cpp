#include "util/query.hpp"

namespace cz::query {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The escape at text[i] ('%'), decoded, or -1 when it is not '%' and two hex digits.
int escape_at(std::string_view text, std::size_t i) {
  if (i + 2 >= text.size()) return -1;
  const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

// Calls `pair(key, value)` with the raw (still escaped) text of every non-empty `key[=value]`
// after the '?' of `target`; a key without '=' has an empty value.
template <typename PairFn>
void for_each_raw_pair(std::string_view target, PairFn&& pair) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view item = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    if (!pair(item.substr(0, eq),
              eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1)))
      return;
  }
}

Error refused(std::string message) {
  return Error{"VALIDATION_ERROR", std::move(message)};
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const int byte = escape_at(text, i);
      if (byte < 0) return std::nullopt;
      out.push_back(static_cast<char>(byte));
      i += 2;
    } else {
      out.push_back(c == '+' && plus_is_space ? ' ' : c);
    }
  }
  return out;
}

std::string percent_decode_lenient(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const int byte = c == '%' ? escape_at(text, i) : -1;
    if (byte >= 0) {
      out.push_back(static_cast<char>(byte));
      i += 2;
    } else {
      out.push_back(c == '+' ? ' ' : c);
    }
  }
  return out;
}

std::optional<std::string_view> Params::get(std::string_view key) const {
  for (const auto& [k, v] : items_)
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

Params Params::parse_lenient(std::string_view target) {
  if (const auto hash = target.find('#'); hash != std::string_view::npos)
    target = target.substr(0, hash);
  Params params;
  for_each_raw_pair(target, [&](std::string_view key, std::string_view value) {
    params.items_.emplace_back(percent_decode_lenient(key), percent_decode_lenient(value));
    return true;
  });
  return params;
}

Result<Params> Params::parse_strict(std::string_view target) {
  Params params;
  std::optional<Error> error;
  for_each_raw_pair(target, [&](std::string_view raw_key, std::string_view raw_value) {
    auto key = percent_decode(raw_key, true);
    auto value = percent_decode(raw_value, true);
    if (!key || !value)
      error = refused("query string has a malformed %-escape");
    else if (params.items_.size() == kMaxStrictParams)
      error = refused("query string has too many parameters");
    else if (params.get(*key))
      error = refused(*key + " is given more than once");
    else
      params.items_.emplace_back(std::move(*key), std::move(*value));
    return !error;
  });
  if (error) return std::move(*error);
  return params;
}

}  // namespace cz::query
