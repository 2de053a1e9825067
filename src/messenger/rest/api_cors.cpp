#include "messenger/rest/api_cors.hpp"

#include <algorithm>

namespace cz::messenger::rest {

ApiCors::ApiCors(std::vector<std::string> allowed_origins) {
  for (auto& origin : allowed_origins) {
    while (!origin.empty() && origin.back() == '/') origin.pop_back();  // "https://a.example/"
    if (origin == "*")
      any_ = true;
    else if (!origin.empty())
      origins_.push_back(std::move(origin));
  }
}

std::optional<std::string> ApiCors::allow_origin(std::optional<std::string_view> origin) const {
  if (!origin || origin->empty()) return std::nullopt;
  if (any_) return std::string("*");
  if (std::find(origins_.begin(), origins_.end(), *origin) != origins_.end())
    return std::string(*origin);
  return std::nullopt;
}

}  // namespace cz::messenger::rest
