#include "postgres_server.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace cz::store::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::runtime_error failure(const std::string& what) {
  return std::runtime_error("cannot start PostgreSQL for the store tests: " + what);
}

// CZ_PG_BIN, or the newest /usr/lib/postgresql/<version>/bin that has initdb.
std::string find_bin_dir() {
  if (const char* env = std::getenv("CZ_PG_BIN"); env && *env) return env;
  const fs::path root = "/usr/lib/postgresql";
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    const int version = std::atoi(name.c_str());
    if (version > best_version && fs::exists(entry.path() / "bin" / "initdb")) {
      best_version = version;
      best = (entry.path() / "bin").string();
    }
  }
  if (best.empty()) {
    throw failure(
        "no PostgreSQL server binaries under /usr/lib/postgresql (install them with "
        "scripts/setup.sh, i.e. the Debian package postgresql, or point CZ_PG_BIN at a bin dir)");
  }
  return best;
}

// initdb and postgres refuse to run as root: then they run as the `postgres` OS user.
struct RunAs {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

RunAs run_as() {
  if (::geteuid() != 0) return {};
  const passwd* pw = ::getpwnam("postgres");
  if (!pw) throw failure("running as root, but there is no `postgres` OS user to run it as");
  return {true, pw->pw_uid, pw->pw_gid};
}

void give_to(const RunAs& as, const fs::path& path) {
  if (as.drop && ::chown(path.c_str(), as.uid, as.gid) != 0) {
    throw failure("chown " + path.string() + ": " + std::strerror(errno));
  }
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string tail(const std::string& text, std::size_t n = 3000) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

// fork + exec with a small fixed environment, output to `log`; as `as` when dropping root.
// `die_with_parent`: the child gets SIGQUIT (PostgreSQL's immediate shutdown) when we die.
pid_t spawn(const std::vector<std::string>& argv, const fs::path& log, const RunAs& as,
            bool die_with_parent) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const char* env[] = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TZ=UTC", nullptr};
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw failure(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    if (as.drop && (::setgid(as.gid) != 0 || ::setuid(as.uid) != 0)) ::_exit(126);
    // After setuid: a credential change clears the parent-death signal.
    if (die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGQUIT);
      if (::getppid() != parent) ::_exit(1);
    }
    ::execve(args[0], args.data(), const_cast<char* const*>(env));
    ::_exit(127);
  }
  return pid;
}

// Runs a command to completion; throws with its output when it fails.
void run(const std::vector<std::string>& argv, const fs::path& log, const RunAs& as) {
  const pid_t pid = spawn(argv, log, as, false);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw failure(argv[0] + " failed (status " + std::to_string(status) + "):\n" +
                  tail(read_file(log)));
  }
}

// A cluster made by initdb once per machine and user, then copied: initdb takes seconds, a copy
// a fraction of one. Built under a temporary name and renamed, so it is complete or absent.
fs::path template_cluster(const std::string& bin_dir, const RunAs& as) {
  const std::string version = fs::path(bin_dir).parent_path().filename().string();
  const fs::path tmp = fs::temp_directory_path();
  const fs::path done = tmp / ("cz-pg-template-" + version + "-uid" + std::to_string(::geteuid()));
  if (fs::exists(done / "data" / "PG_VERSION")) return done;
  const fs::path building = done.string() + ".building." + std::to_string(::getpid());
  fs::create_directories(building);
  give_to(as, building);
  try {
    run({bin_dir + "/initdb", "-D", (building / "data").string(), "-U", "postgres", "--auth=trust",
         "-E", "UTF8", "--locale=C", "--no-sync"},
        building / "initdb.log", as);
  } catch (...) {
    fs::remove_all(building);
    throw;
  }
  std::error_code ec;
  fs::rename(building, done, ec);
  if (ec) fs::remove_all(building, ec);  // another process finished first: use theirs
  return done;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw failure(std::string("no free port: ") + std::strerror(errno));
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string conninfo(int port, const std::string& db) {
  return "host=127.0.0.1 port=" + std::to_string(port) + " user=postgres dbname=" + db +
         " connect_timeout=5";
}

std::mutex shared_mutex;
std::unique_ptr<PostgresServer> shared_server;
std::string shared_failure;

}  // namespace

PostgresServer& PostgresServer::shared() {
  std::lock_guard lock(shared_mutex);
  if (!shared_server && shared_failure.empty()) {
    try {
      shared_server.reset(new PostgresServer());
    } catch (const std::exception& e) {
      shared_failure = e.what();
    }
  }
  if (!shared_server) throw std::runtime_error(shared_failure);
  return *shared_server;
}

void PostgresServer::stop_shared() {
  std::lock_guard lock(shared_mutex);
  shared_server.reset();
}

PostgresServer::PostgresServer() : bin_dir_(find_bin_dir()) {
  const RunAs as = run_as();
  const fs::path source = template_cluster(bin_dir_, as);
  char pattern[] = "/tmp/cz-pg-test-XXXXXX";
  if (!::mkdtemp(pattern)) throw failure(std::string("mkdtemp: ") + std::strerror(errno));
  dir_ = pattern;
  try {
    give_to(as, dir_);
    // As root, cp -a keeps the postgres user's ownership; otherwise everything is ours anyway.
    run({"/bin/cp", "-a", (source / "data").string(), dir_ + "/data"}, dir_ + "/cp.log", {});
    // A taken port shows up as a failed start: try a few.
    for (int attempt = 1;; ++attempt) {
      try {
        start_on(free_port());
        break;
      } catch (const std::runtime_error&) {
        if (attempt >= 3) throw;
      }
    }
  } catch (...) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw;
  }
}

PostgresServer::~PostgresServer() {
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void PostgresServer::start() {
  if (!running()) start_on(port_);
}

void PostgresServer::start_on(int port) {
  const fs::path log = dir_ + "/postgres.log";
  pid_ = spawn({bin_dir_ + "/postgres", "-D", dir_ + "/data", "-p", std::to_string(port), "-h",
                "127.0.0.1", "-k", dir_, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
                "full_page_writes=off", "-c", "max_connections=200"},
               log, run_as(), /*die_with_parent=*/true);
  port_ = port;
  const std::string info = conninfo(port, "postgres");
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (PQping(info.c_str()) != PQPING_OK) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw failure("postgres exited while starting:\n" + tail(read_file(log)));
    }
    if (Clock::now() > deadline) {
      stop();
      throw failure("postgres did not accept connections within 30 s:\n" + tail(read_file(log)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void PostgresServer::stop() {
  if (pid_ <= 0) return;
  // SIGINT: fast shutdown (clients are disconnected, then a clean exit); escalate if stuck.
  ::kill(pid_, SIGINT);
  const auto deadline = Clock::now() + std::chrono::seconds(15);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

std::string PostgresServer::create_database() {
  const std::string name = "cz_t" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
  sql("postgres", "CREATE DATABASE " + name);
  return "postgres://postgres@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

std::string PostgresServer::sql(const std::string& db, const std::string& statement) {
  PGconn* conn = PQconnectdb(conninfo(port_, db).c_str());
  std::unique_ptr<PGconn, decltype(&PQfinish)> owner(conn, &PQfinish);
  if (PQstatus(conn) != CONNECTION_OK) {
    throw std::runtime_error(std::string("test SQL: cannot connect: ") + PQerrorMessage(conn));
  }
  PGresult* r = PQexec(conn, statement.c_str());
  std::unique_ptr<PGresult, decltype(&PQclear)> result(r, &PQclear);
  const ExecStatusType status = PQresultStatus(r);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error("test SQL failed: " + statement + ": " + PQresultErrorMessage(r));
  }
  if (status == PGRES_TUPLES_OK && PQntuples(r) > 0 && PQnfields(r) > 0) {
    return PQgetvalue(r, 0, 0);
  }
  return "";
}

namespace {

// Stops the shared server once every test of the program has run.
class StopPostgresAtEnd : public ::testing::Environment {
 public:
  void TearDown() override { PostgresServer::stop_shared(); }
};

[[maybe_unused]] ::testing::Environment* const stop_postgres_at_end =
    ::testing::AddGlobalTestEnvironment(new StopPostgresAtEnd);

}  // namespace

}  // namespace cz::store::testing
