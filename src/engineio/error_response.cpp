#include "engineio/error_response.hpp"

#include <string>

namespace cz::engineio {

const char* error_message(ErrorCode code) {
  switch (code) {
    case ErrorCode::UnknownTransport:
      return "Transport unknown";
    case ErrorCode::UnknownSid:
      return "Session ID unknown";
    case ErrorCode::BadHandshakeMethod:
      return "Bad handshake method";
    case ErrorCode::BadRequest:
      return "Bad request";
    case ErrorCode::Forbidden:
      return "Forbidden";
    case ErrorCode::UnsupportedProtocolVersion:
      return "Unsupported protocol version";
  }
  return "Bad request";
}

net::Response make_error_response(const net::Request& request, ErrorCode code, bool upgrade) {
  namespace http = net::http;
  if (upgrade) {
    net::Response res{http::status::bad_request, request.version()};
    res.set(http::field::content_type, "text/html");
    res.keep_alive(false);
    res.body() = error_message(code);
    res.prepare_payload();
    return res;
  }
  net::Response res{
      code == ErrorCode::Forbidden ? http::status::forbidden : http::status::bad_request,
      request.version()};
  res.set(http::field::content_type, "application/json");
  res.keep_alive(request.keep_alive());
  res.body() = "{\"code\":" + std::to_string(static_cast<int>(code)) + ",\"message\":\"" +
               error_message(code) + "\"}";
  res.prepare_payload();
  return res;
}

}  // namespace cz::engineio
