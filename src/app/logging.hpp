#pragma once
// The server's log: spdlog's default logger (stdout), as text or as JSON lines.
#include <string>
#include <string_view>

namespace cz::app {

// "text": spdlog's default pattern. "json": one JSON object a line, {"time", "level",
// "message"} and, where there are some, the fields "component" (the message's "subsystem: "
// prefix, e.g. "redis presence"), "logger" (when not the default one) and "thread".
void configure_logging(const std::string& level, const std::string& format);

// A line printed whatever the log level, in the configured format (info level): the
// "listening on ..." line that scripts and tests wait for.
void print_notice(std::string_view message);

// The JSON line for one message, without its newline (exposed for the unit tests).
std::string json_log_line(std::string_view level, std::string_view message, long long unix_ms,
                          std::size_t thread_id, std::string_view logger = {});

}  // namespace cz::app
