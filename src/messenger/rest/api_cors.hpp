#pragma once
// Cross-origin access to the REST API, with the same allowed origins as the Socket.IO server
// (--cors-origin): none configured means no CORS headers at all (browsers then allow only
// same-origin calls); "*" allows any origin. Credentials are a Bearer header, never cookies,
// so Access-Control-Allow-Credentials is not sent. Pure.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cz::messenger::rest {

class ApiCors {
 public:
  explicit ApiCors(std::vector<std::string> allowed_origins);

  // The Access-Control-Allow-Origin value for a request from `origin` ("*" or the origin
  // itself), or nullopt when that origin is not allowed (or no Origin was sent).
  std::optional<std::string> allow_origin(std::optional<std::string_view> origin) const;
  // Whether responses vary by Origin (and so need `Vary: Origin` for caches).
  bool varies_by_origin() const { return !any_ && !origins_.empty(); }

  static constexpr std::string_view kAllowHeaders = "Authorization, Content-Type";
  static constexpr std::string_view kMaxAgeSeconds = "600";

 private:
  std::vector<std::string> origins_;
  bool any_ = false;
};

}  // namespace cz::messenger::rest
