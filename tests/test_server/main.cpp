// cz-messenger-test-server: cz-messenger (app/server.hpp) with one more flag, --test-namespaces,
// which also serves the echo namespaces of test_namespaces.hpp for the e2e protocol tests
// (tests/e2e/core/). Built with the tests only; the production binary has no such namespaces.
// Every other argument goes to the server's own parser, so its flags, CZ_* variables and
// --config work as they do for cz-messenger.
#include <string_view>
#include <vector>

#include "app/server.hpp"
#include "test_namespaces.hpp"

int main(int argc, char** argv) {
  bool test_namespaces = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (i > 0 && std::string_view(argv[i]) == "--test-namespaces") {
      test_namespaces = true;
    } else {
      args.push_back(argv[i]);
    }
  }
  args.push_back(nullptr);
  cz::app::ServerExtras extras;
  if (test_namespaces) extras.add_namespaces = cz::socketio::install_test_namespaces;
  return cz::app::server_main(static_cast<int>(args.size()) - 1, args.data(), extras);
}
