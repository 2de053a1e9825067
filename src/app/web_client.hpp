#pragma once
// The web client (web/ in the repository), served by the server itself:
//   /                   web/public/ (index.html, the page's ES modules and styles)
//   /vendor/socket.io/  web/node_modules/socket.io-client/dist/ (npm ci in web/, scripts/setup.sh)
//   /dev/token          with --dev-tokens only (messenger/rest/dev_tokens.hpp)
// The directory is --web-root, else web/ beside the directory of the binary (build/cz-messenger
// -> web/), so that scripts/run.sh serves the page from a fresh clone.
#include <string>

#include "app/config.hpp"
#include "net/router.hpp"

namespace cz::app {

// Mounts the routes above. `dev_secret` is the HS256 secret in use when --dev-tokens is on (main
// refuses --dev-tokens with any other secret). Throws std::runtime_error when an explicit
// --web-root is not a web client directory.
void install_web_client(net::Router& router, const Config& config, const std::string& dev_secret);

}  // namespace cz::app
