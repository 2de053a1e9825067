#include "app/web_client.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <optional>
#include <stdexcept>

#include "messenger/rest/dev_tokens.hpp"
#include "net/static_files.hpp"

namespace cz::app {

namespace {

namespace fs = std::filesystem;

bool is_web_client(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "public" / "index.html", ec);
}

std::optional<fs::path> find_web_root(const Config& config) {
  if (config.web_root == "none") return std::nullopt;
  if (!config.web_root.empty()) {
    if (!is_web_client(config.web_root))
      throw std::runtime_error("--web-root " + config.web_root +
                               ": no public/index.html there (expected the repository's web/)");
    return fs::path(config.web_root);
  }
  std::error_code ec;
  const auto binary = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const auto& dir :
         {binary.parent_path().parent_path() / "web", binary.parent_path() / "web"})
      if (is_web_client(dir)) return dir;
  }
  spdlog::warn(
      "no web client beside {} (looked for ../web/public/index.html): / serves no page; "
      "--web-root DIR names one",
      binary.string());
  return std::nullopt;
}

// The page loads only its own scripts and styles and talks only to this server; images in
// messages are URLs chosen by users, so they may come from anywhere.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src * data: blob:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void mount_static(net::Router& router, std::string prefix, fs::path root) {
  net::StaticFilesOptions options;
  options.url_prefix = prefix;
  options.root = std::move(root);
  options.html_headers = {{"Content-Security-Policy", kContentSecurityPolicy},
                          {"Referrer-Policy", "no-referrer"}};
  router.add(std::move(prefix), std::make_shared<net::StaticFiles>(std::move(options)));
}

}  // namespace

void install_web_client(net::Router& router, const Config& config, const std::string& dev_secret) {
  if (config.dev_tokens) {
    spdlog::warn("--dev-tokens: POST {} mints a token for any user: development only",
                 messenger::rest::kDevTokenPath);
    messenger::rest::DevTokenOptions options;
    options.hs256_secret = dev_secret;
    router.add(std::string(messenger::rest::kDevTokenPath),
               messenger::rest::make_dev_token_handler(std::move(options)));
  }
  const auto root = find_web_root(config);
  if (!root) return;
  mount_static(router, "/", *root / "public");
  const auto bundle = *root / "node_modules" / "socket.io-client" / "dist";
  std::error_code ec;
  if (fs::is_directory(bundle, ec))
    mount_static(router, "/vendor/socket.io/", bundle);
  else
    spdlog::warn(
        "web client: {} is missing (scripts/setup.sh runs npm ci in web/): the page "
        "cannot connect",
        bundle.string());
  spdlog::info("web client: {} at /", fs::absolute(*root / "public").lexically_normal().string());
}

}  // namespace cz::app
