#pragma once
// One run's results: flat key/value pairs, printed as one JSON line (for scripts) and as a
// human table.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "latency.hpp"

namespace cz::loadgen {

class Report {
 public:
  using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

  void set(std::string key, Value value);
  void set_optional(std::string key, std::optional<double> value);
  // Adds <prefix>_p50_us ... <prefix>_max_us.
  void set_latency(const std::string& prefix, const LatencySummary& summary);

  std::string json_line() const;
  std::string table() const;

 private:
  std::vector<std::pair<std::string, Value>> entries_;
};

}  // namespace cz::loadgen
