#pragma once
// The query string of a request target, decoded. Pure functions.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.hpp"

namespace cz::messenger::rest {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in a query string).
// A '%' not followed by two hex digits is an error: such input is refused, not guessed at.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

class QueryParams {
 public:
  // The decoded value of `key`, if present.
  std::optional<std::string_view> get(std::string_view key) const;
  bool empty() const { return items_.empty(); }

  // From the part of `target` after '?'. Refuses (VALIDATION_ERROR) bad escapes and a key given
  // twice: "?user_id=a&user_id=b" has no single meaning, and guessing one would let a request
  // carry two identities past different checks.
  static Result<QueryParams> parse(std::string_view target);

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

}  // namespace cz::messenger::rest
