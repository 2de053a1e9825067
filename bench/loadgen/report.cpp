#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "json_text.hpp"

namespace cz::loadgen {
namespace {

std::string format_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.3f", v);
  }
  return buf;
}

std::string to_text(const Report::Value& value, bool json) {
  struct Visitor {
    bool json;
    std::string operator()(std::monostate) const { return json ? "null" : "-"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t v) const { return std::to_string(v); }
    std::string operator()(double v) const { return format_number(v); }
    std::string operator()(const std::string& s) const {
      if (!json) return s;
      std::string out;
      append_json_string(out, s);
      return out;
    }
  };
  return std::visit(Visitor{json}, value);
}

}  // namespace

void Report::set(std::string key, Value value) {
  for (auto& entry : entries_) {
    if (entry.first == key) {
      entry.second = std::move(value);
      return;
    }
  }
  entries_.emplace_back(std::move(key), std::move(value));
}

void Report::set_optional(std::string key, std::optional<double> value) {
  if (value)
    set(std::move(key), *value);
  else
    set(std::move(key), std::monostate{});
}

void Report::set_latency(const std::string& prefix, const LatencySummary& s) {
  set(prefix + "_count", static_cast<std::int64_t>(s.count));
  set(prefix + "_p50_us", s.p50_us);
  set(prefix + "_p90_us", s.p90_us);
  set(prefix + "_p99_us", s.p99_us);
  set(prefix + "_p999_us", s.p999_us);
  set(prefix + "_max_us", s.max_us);
  set(prefix + "_mean_us", std::round(s.mean_us * 10) / 10);
}

std::string Report::json_line() const {
  std::string out = "{";
  for (const auto& [key, value] : entries_) {
    if (out.size() > 1) out += ',';
    append_json_string(out, key);
    out += ':';
    out += to_text(value, true);
  }
  out += '}';
  return out;
}

std::string Report::table() const {
  std::size_t width = 0;
  for (const auto& entry : entries_) width = std::max(width, entry.first.size());
  std::string out;
  for (const auto& [key, value] : entries_) {
    out += "  " + key + std::string(width - key.size() + 2, ' ') + to_text(value, false) + "\n";
  }
  return out;
}

}  // namespace cz::loadgen
