#include "messenger/rest/refusal.hpp"

#include <string_view>

#include "messenger/errors.hpp"
#include "messenger/json_writer.hpp"
#include "messenger/render.hpp"

namespace cz::messenger::rest {

boost::beast::http::status status_for(const Error& error) {
  using boost::beast::http::status;
  struct Entry {
    std::string_view code;
    status http;
  };
  static constexpr Entry kTable[] = {
      {code::kValidationError, status::bad_request},
      {rest_code::kInvalidJson, status::bad_request},
      {code::kUnauthorized, status::unauthorized},
      {code::kForbidden, status::forbidden},
      {code::kRoomNotFound, status::not_found},
      {code::kMessageNotFound, status::not_found},
      {rest_code::kNotFound, status::not_found},
      {rest_code::kMethodNotAllowed, status::method_not_allowed},
      {rest_code::kPayloadTooLarge, status::payload_too_large},
      {rest_code::kUnsupportedMediaType, status::unsupported_media_type},
      // Well-formed requests whose content is refused: a message over the size limit, a type
      // outside the enum, too many ids.
      {code::kContentTooLarge, status::unprocessable_entity},
      {code::kUnknownMessageType, status::unprocessable_entity},
      {code::kTooManyIds, status::unprocessable_entity},
      {code::kStoreUnavailable, status::service_unavailable},
  };
  for (const Entry& e : kTable)
    if (e.code == error.code) return e.http;
  return status::internal_server_error;
}

std::string render_refusal(const Error& error) {
  std::string out;
  out.reserve(64 + 2 * error.message.size());
  StringSink sink(out);
  JsonWriter w(sink);
  w.StartObject();
  write_key(w, "status");
  w.Bool(false);
  write_field(w, "message", error.message);
  write_error_member(w, error);
  w.EndObject();
  return out;
}

}  // namespace cz::messenger::rest
