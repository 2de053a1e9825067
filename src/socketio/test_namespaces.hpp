#pragma once
// Namespaces `/`, `/test` and `/test2` with the behaviour the end-to-end tests expect
// (enabled by --test-namespaces; see the team brief for the contract):
//   middleware refuses when auth.refuse is truthy or the query has refuse=<reason>;
//   on connection: `welcome` {id, nsp, query, auth};
//   `echo`, `join`, `leave`, `broadcast`, `ask`, `disconnect_me`, `close_me`.
namespace cz::socketio {

class Server;

void install_test_namespaces(Server& server);

}  // namespace cz::socketio
