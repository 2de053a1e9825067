#include "messenger/errors.hpp"

#include <string_view>

namespace cz::messenger {

Error client_error_from_store(const Error& e) {
  const std::string_view c = e.code;
  for (const char* passthrough :
       {code::kRoomNotFound, code::kMessageNotFound, code::kForbidden, code::kValidationError}) {
    if (c == passthrough) return e;
  }
  if (c == code::kStoreUnavailable)
    return make_error(code::kStoreUnavailable, "storage is busy, retry later");
  return make_error(code::kInternal, "internal error");
}

}  // namespace cz::messenger
