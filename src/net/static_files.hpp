#pragma once
// Serves the files of one directory (the web client) over GET and HEAD.
//
// Safety: a request path is percent-decoded and split into segments; any segment that is empty,
// `.`, `..`, hidden (starts with `.`) or holds a control character or a backslash names no file
// (404), and the resolved file must still lie inside the root once symlinks are followed. So
// nothing outside the root, and no dotfile inside it, is ever served.
//
// Caching: every answer carries an ETag (size and modification time) and `Cache-Control:
// no-cache`, so browsers keep the files but ask again each time (a 304 when unchanged): an
// edited file is seen on the next reload, without stale bundles.
//
// Files are read on the I/O thread: they are the page's own few small files (a size cap keeps a
// stray large file from stalling the loop).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/http.hpp"

namespace cz::net {

struct StaticFilesOptions {
  std::string url_prefix = "/";      // what the router mounts; stripped before the file lookup
  std::filesystem::path root;        // an existing directory
  std::string index = "index.html";  // served for the prefix itself and for paths ending in '/'
  std::uintmax_t max_file_bytes = 16 * 1024 * 1024;
  // Extra headers of HTML answers (e.g. Content-Security-Policy).
  std::vector<std::pair<std::string, std::string>> html_headers;
};

// The file a request path names, relative to the root (e.g. "js/app.js"), or nullopt when the
// path is outside `url_prefix` or not a safe relative path (see above). Pure.
std::optional<std::string> static_file_path(std::string_view url_path, std::string_view url_prefix,
                                            std::string_view index);

// The Content-Type for a file name, by its extension (application/octet-stream if unknown).
std::string_view content_type_for(std::string_view file_name);

class StaticFiles : public HttpHandler {
 public:
  // Throws std::runtime_error when `options.root` is not a directory.
  explicit StaticFiles(StaticFilesOptions options);
  void handle(std::shared_ptr<HttpExchange> exchange) override;

 private:
  // The file under the root, symlinks resolved, or nullopt when there is none inside the root.
  std::optional<std::filesystem::path> resolve(const std::string& relative) const;

  StaticFilesOptions options_;
  std::filesystem::path canonical_root_;
};

}  // namespace cz::net
