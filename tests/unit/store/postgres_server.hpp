#pragma once
// A real, throwaway PostgreSQL server for the store tests.
//
// Started on first use, once per test process, and stopped when the tests end: initdb into a
// temp dir (copied from a cached template cluster after the first time, which saves seconds per
// process under ctest), then `postgres` on a free loopback port with its socket in that dir,
// trust authentication and durability off. initdb and postgres refuse to run as root, so as root
// they run as the `postgres` OS user. The server dies with the test process even on a crash
// (PR_SET_PDEATHSIG).
//
// When PostgreSQL cannot be started (no binaries, no postgres user, ...) shared() throws with a
// message saying why; the tests then FAIL with it. They never skip silently.
#include <sys/types.h>

#include <string>

namespace cz::store::testing {

class PostgresServer {
 public:
  // The process-wide server, started on first call. Throws std::runtime_error when it cannot be.
  static PostgresServer& shared();
  // Stops the shared server if it was started (at the end of the test program).
  static void stop_shared();

  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;
  ~PostgresServer();

  int port() const { return port_; }
  // A new, empty database; returns its URL (postgres://postgres@127.0.0.1:PORT/NAME).
  std::string create_database();
  // Runs SQL on database `db` as the superuser; returns the first column of the first row ("" if
  // none). Throws std::runtime_error on failure.
  std::string sql(const std::string& db, const std::string& statement);

  // Fast shutdown (clients are disconnected) and start again on the same port and data.
  void stop();
  void start();
  bool running() const { return pid_ > 0; }

 private:
  PostgresServer();
  void start_on(int port);

  std::string bin_dir_;
  std::string dir_;  // temp dir: data/ and the unix socket
  int port_ = 0;
  pid_t pid_ = -1;
  int databases_ = 0;
};

}  // namespace cz::store::testing
