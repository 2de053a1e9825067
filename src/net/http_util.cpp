#include "net/http_util.hpp"

namespace cz::net {

Response make_response(const Request& request, http::status status, std::string body,
                       std::string_view content_type) {
  Response res{status, request.version()};
  res.set(http::field::content_type, content_type);
  res.keep_alive(request.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response make_json_error(const Request& request, http::status status, std::string_view code,
                         std::string_view message) {
  std::string body = "{\"code\":\"";
  append_json_escaped(body, code);
  body += "\",\"message\":\"";
  append_json_escaped(body, message);
  body += "\"}";
  return make_response(request, status, std::move(body), "application/json");
}

bool refuse_unless_get_or_head(HttpExchange& exchange) {
  const auto& req = exchange.request();
  if (req.method() == http::verb::get || req.method() == http::verb::head) return false;
  auto res = make_json_error(req, http::status::method_not_allowed, "METHOD_NOT_ALLOWED",
                             "Method not allowed");
  res.set(http::field::allow, "GET, HEAD");
  exchange.respond(std::move(res));
  return true;
}

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out.push_back(kHex[(c >> 4) & 0xF]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
}

std::string_view target_path(std::string_view target) {
  return target.substr(0, target.find('?'));
}

}  // namespace cz::net
