#pragma once
// The server's whole run: the layers wired from a Config (app/server.cpp), serving until
// SIGINT/SIGTERM. `cz-messenger` (src/main.cpp) runs it as it is; the test-only
// `cz-messenger-test-server` (tests/test_server/) adds the protocol tests' echo namespaces.
#include <functional>

namespace cz::socketio {
class Server;
}

namespace cz::app {

struct ServerExtras {
  // Called once the Socket.IO server exists (with the cluster's adapter under --redis) and
  // before the messenger registers its namespace: namespaces of the caller's own.
  std::function<void(socketio::Server&)> add_namespaces;
};

// main() of a server binary: parses argv (and CZ_* variables, --config), sets up logging, runs;
// the exit code (1 when it cannot start, after logging why).
int server_main(int argc, char** argv, const ServerExtras& extras = {});

}  // namespace cz::app
