#include "net/static_files.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "net/http_util.hpp"
#include "util/query.hpp"

namespace cz::net {

namespace fs = std::filesystem;

namespace {

bool is_safe_segment(std::string_view segment) {
  // Empty ("a//b"), ".", ".." and every other dotfile are refused alike.
  if (segment.empty() || segment.front() == '.') return false;
  for (const char c : segment) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == '\\') return false;
  }
  return true;
}

bool ends_with_ci(std::string_view text, std::string_view suffix) {
  if (text.size() < suffix.size()) return false;
  const auto tail = text.substr(text.size() - suffix.size());
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    const char a = (tail[i] >= 'A' && tail[i] <= 'Z') ? static_cast<char>(tail[i] + 32) : tail[i];
    if (a != suffix[i]) return false;
  }
  return true;
}

// Whether an If-None-Match header ("a", "a, b", W/"a", *) names `etag`.
bool etag_matches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    auto item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
  }
  return false;
}

std::optional<std::string> read_whole_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(bytes).str();
}

bool is_html(std::string_view content_type) {
  return content_type.starts_with("text/html");
}

}  // namespace

std::optional<std::string> static_file_path(std::string_view url_path, std::string_view url_prefix,
                                            std::string_view index) {
  if (!url_path.starts_with(url_prefix)) return std::nullopt;
  // A malformed escape makes the whole path invalid; '+' is a plain '+' in a path.
  auto decoded = query::percent_decode(url_path.substr(url_prefix.size()), false);
  if (!decoded) return std::nullopt;
  if (decoded->empty() || decoded->back() == '/') *decoded += index;
  std::string_view rest = *decoded;
  while (true) {
    const auto slash = rest.find('/');
    if (!is_safe_segment(rest.substr(0, slash))) return std::nullopt;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return decoded;
}

std::string_view content_type_for(std::string_view file_name) {
  struct Entry {
    std::string_view extension;
    std::string_view type;
  };
  static constexpr std::array kTypes{
      Entry{".html", "text/html; charset=utf-8"},
      Entry{".js", "text/javascript; charset=utf-8"},
      Entry{".mjs", "text/javascript; charset=utf-8"},
      Entry{".css", "text/css; charset=utf-8"},
      Entry{".json", "application/json"},
      Entry{".map", "application/json"},
      Entry{".txt", "text/plain; charset=utf-8"},
      Entry{".svg", "image/svg+xml"},
      Entry{".png", "image/png"},
      Entry{".jpg", "image/jpeg"},
      Entry{".jpeg", "image/jpeg"},
      Entry{".gif", "image/gif"},
      Entry{".webp", "image/webp"},
      Entry{".ico", "image/x-icon"},
      Entry{".woff2", "font/woff2"},
      Entry{".webmanifest", "application/manifest+json"},
  };
  for (const auto& entry : kTypes)
    if (ends_with_ci(file_name, entry.extension)) return entry.type;
  return "application/octet-stream";
}

StaticFiles::StaticFiles(StaticFilesOptions options) : options_(std::move(options)) {
  std::error_code ec;
  canonical_root_ = fs::canonical(options_.root, ec);
  if (ec || !fs::is_directory(canonical_root_))
    throw std::runtime_error(fmt::format("{} is not a directory", options_.root.string()));
}

std::optional<fs::path> StaticFiles::resolve(const std::string& relative) const {
  std::error_code ec;
  auto real = fs::canonical(canonical_root_ / relative, ec);
  if (ec || !fs::is_regular_file(real, ec)) return std::nullopt;
  // A symlink inside the root may point anywhere; only what stays inside is served.
  const auto inside = real.lexically_relative(canonical_root_);
  if (inside.empty() || *inside.begin() == "..") return std::nullopt;
  return real;
}

void StaticFiles::handle(std::shared_ptr<HttpExchange> exchange) {
  const auto& req = exchange->request();
  const auto relative =
      static_file_path(target_path(req.target()), options_.url_prefix, options_.index);
  const auto file = relative ? resolve(*relative) : std::nullopt;
  if (!file) {
    exchange->respond(make_json_error(req, http::status::not_found, "NOT_FOUND", "Not found"));
    return;
  }
  if (refuse_unless_get_or_head(*exchange)) return;

  std::error_code ec;
  const auto size = fs::file_size(*file, ec);
  const auto modified = fs::last_write_time(*file, ec);
  if (ec || size > options_.max_file_bytes) {
    spdlog::warn("static: not serving {} ({})", file->string(),
                 ec ? ec.message() : "larger than the size cap");
    exchange->respond(make_json_error(req, http::status::not_found, "NOT_FOUND", "Not found"));
    return;
  }
  const auto etag = fmt::format(
      "\"{:x}-{:x}\"", size,
      // Unsigned: the file clock's epoch is not 1970, so times before it are negative counts.
      static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(modified.time_since_epoch())
              .count()));
  const auto content_type = content_type_for(*relative);

  auto set_cache_headers = [&](Response& res) {
    res.set(http::field::etag, etag);
    res.set(http::field::cache_control, "no-cache");
  };
  if (auto it = req.find(http::field::if_none_match);
      it != req.end() && etag_matches(it->value(), etag)) {
    Response res{http::status::not_modified, req.version()};
    res.keep_alive(req.keep_alive());
    set_cache_headers(res);
    exchange->respond(std::move(res));
    return;
  }

  auto body = read_whole_file(*file);
  if (!body) {
    exchange->respond(make_json_error(req, http::status::not_found, "NOT_FOUND", "Not found"));
    return;
  }
  const auto length = body->size();
  auto res = make_response(req, http::status::ok, std::move(*body), content_type);
  set_cache_headers(res);
  res.set("X-Content-Type-Options", "nosniff");
  if (is_html(content_type))
    for (const auto& [name, value] : options_.html_headers) res.set(name, value);
  if (req.method() == http::verb::head) {
    res.body().clear();
    res.content_length(length);
  }
  exchange->respond(std::move(res));
}

}  // namespace cz::net
