#pragma once
// The query string of a request target, decoded. Pure functions, two policies:
// - lenient, as Node's querystring reads an Engine.IO handshake ("/socket.io/?EIO=4&..."):
//   malformed %-escapes are kept as written and a repeated key keeps every value (get() answers
//   the first), so that a client that works against Node works here;
// - strict, for the REST API: a malformed escape, a repeated key or too many parameters is
//   refused, because "?user_id=a&user_id=b" has no single meaning and guessing one would let a
//   request carry two identities past different checks.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.hpp"

namespace cz::query {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`); nullopt when a '%' is not
// followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// Decodes %XX escapes and '+' as a space; a malformed escape stays as it is.
std::string percent_decode_lenient(std::string_view text);

class Params {
 public:
  using Items = std::vector<std::pair<std::string, std::string>>;

  // The decoded value of the first `key`, if present.
  std::optional<std::string_view> get(std::string_view key) const;
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const Items& items() const& { return items_; }
  Items items() && { return std::move(items_); }

  // From the part of `target` after '?' (up to a '#').
  static Params parse_lenient(std::string_view target);

  // From the part of `target` after '?'; refuses (VALIDATION_ERROR) bad escapes, a key given
  // twice and more than kMaxStrictParams parameters.
  static Result<Params> parse_strict(std::string_view target);

  // No REST route takes more than a handful; the bound keeps the duplicate check cheap.
  static constexpr std::size_t kMaxStrictParams = 32;

 private:
  Items items_;
};

}  // namespace cz::query
