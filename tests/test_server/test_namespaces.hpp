#pragma once
// Namespaces `/`, `/test` and `/test2` with the behaviour the end-to-end protocol tests expect
// (tests/e2e/core/; served by cz-messenger-test-server --test-namespaces, never by cz-messenger;
// tests/e2e/reference/server.js has the same on Node's Socket.IO):
//   middleware refuses when auth.refuse is truthy or the query has refuse=<reason>;
//   on connection: `welcome` {id, nsp, query, auth};
//   `echo`, `join`, `leave`, `broadcast`, `ask`, `disconnect_me`, `close_me`.
namespace cz::socketio {

class Server;

void install_test_namespaces(Server& server);

}  // namespace cz::socketio
