#pragma once
// How a refusal looks over HTTP: the status that fits its code, and the body
// {status: false, message, error: {code, message}} — `status` and `message` as the original
// service's clients read them, `error` as every refusal of this server is shaped.
#include <boost/beast/http/status.hpp>
#include <string>

#include "util/result.hpp"

namespace cz::messenger::rest {

// Codes only the HTTP side produces (the shared ones are in messenger/errors.hpp).
namespace rest_code {
inline constexpr const char* kInvalidJson = "INVALID_JSON";
inline constexpr const char* kPayloadTooLarge = "PAYLOAD_TOO_LARGE";
inline constexpr const char* kUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
inline constexpr const char* kNotFound = "NOT_FOUND";  // no such route
inline constexpr const char* kMethodNotAllowed = "METHOD_NOT_ALLOWED";
}  // namespace rest_code

boost::beast::http::status status_for(const Error& error);

std::string render_refusal(const Error& error);

}  // namespace cz::messenger::rest
