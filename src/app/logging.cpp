#include "app/logging.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/details/os.h>
#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <ctime>
#include <memory>

#include "net/http_util.hpp"
#include "util/utf8.hpp"

namespace cz::app {

namespace {

bool json_format = false;

// A JSON string literal; ill-formed UTF-8 (a client's bytes in a message) becomes U+FFFD so that
// the line stays valid JSON.
void append_json_string(std::string& out, std::string_view text) {
  std::string repaired;
  if (!utf8::is_valid(text)) {
    repaired.assign(text);
    utf8::repair(repaired);
    text = repaired;
  }
  out += '"';
  net::append_json_escaped(out, text);
  out += '"';
}

// The subsystem a message names first ("redis presence: heartbeat failed" -> "redis presence"):
// lower-case words, digits, dots and parentheses before the first ": ", at most 32 characters.
std::string_view component_of(std::string_view message) {
  const auto colon = message.find(": ");
  if (colon == std::string_view::npos || colon == 0 || colon > 32) return {};
  for (char c : message.substr(0, colon)) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' || c == '.' ||
                         c == '(' || c == ')' || c == '-' || c == '_';
    if (!allowed) return {};
  }
  return message.substr(0, colon);
}

// RFC 3339 in UTC with milliseconds: 2026-12-03T10:15:30.123Z.
std::string utc_time(long long unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", tm, static_cast<int>(unix_ms % 1000));
}

long long unix_ms_of(spdlog::log_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto level = spdlog::level::to_string_view(msg.level);
    const std::string line = json_log_line(
        std::string_view(level.data(), level.size()),
        std::string_view(msg.payload.data(), msg.payload.size()), unix_ms_of(msg.time),
        msg.thread_id, std::string_view(msg.logger_name.data(), msg.logger_name.size()));
    dest.append(line.data(), line.data() + line.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

std::string json_log_line(std::string_view level, std::string_view message, long long unix_ms,
                          std::size_t thread_id, std::string_view logger) {
  std::string out;
  out.reserve(message.size() + 96);
  out += "{\"time\":\"";
  out += utc_time(unix_ms);
  out += "\",\"level\":";
  append_json_string(out, level);
  out += ",\"message\":";
  append_json_string(out, message);
  if (auto component = component_of(message); !component.empty()) {
    out += ",\"component\":";
    append_json_string(out, component);
  }
  if (!logger.empty()) {
    out += ",\"logger\":";
    append_json_string(out, logger);
  }
  fmt::format_to(std::back_inserter(out), ",\"thread\":{}}}", thread_id);
  return out;
}

void configure_logging(const std::string& level, const std::string& format) {
  spdlog::set_level(spdlog::level::from_str(level));
  json_format = format == "json";
  if (json_format) spdlog::set_formatter(std::make_unique<JsonFormatter>());
}

void print_notice(std::string_view message) {
  if (json_format) {
    const auto now = unix_ms_of(spdlog::log_clock::now());
    fmt::print("{}\n", json_log_line("info", message, now, spdlog::details::os::thread_id()));
  } else {
    fmt::print("{}\n", message);
  }
  std::fflush(stdout);
}

}  // namespace cz::app
