#include "messenger/rest/body.hpp"

#include <rapidjson/error/en.h>

#include <string>

#include "messenger/errors.hpp"
#include "messenger/rest/refusal.hpp"

namespace cz::messenger::rest {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

bool is_json_media_type(std::string_view content_type) {
  const std::string type = lower(trim(content_type.substr(0, content_type.find(';'))));
  if (type == "application/json") return true;
  return type.starts_with("application/") && type.ends_with("+json");
}

Result<rapidjson::Document> parse_json_body(std::string_view body,
                                            std::optional<std::string_view> content_type,
                                            std::size_t max_bytes) {
  if (body.size() > max_bytes)
    return make_error(rest_code::kPayloadTooLarge,
                      "request body is larger than " + std::to_string(max_bytes) + " bytes");
  rapidjson::Document doc;
  if (trim(body).empty()) {
    doc.SetObject();
    return doc;
  }
  if (content_type && !is_json_media_type(*content_type))
    return make_error(rest_code::kUnsupportedMediaType, "request body must be application/json");
  constexpr unsigned kFlags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
  doc.Parse<kFlags>(body.data(), body.size());
  if (doc.HasParseError())
    return make_error(rest_code::kInvalidJson,
                      std::string("request body is not valid JSON: ") +
                          rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                          std::to_string(doc.GetErrorOffset()));
  if (!doc.IsObject())
    return make_error(code::kValidationError, "request body must be a JSON object");
  return doc;
}

}  // namespace cz::messenger::rest
