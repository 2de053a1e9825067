// cz-loadgen: drives a Socket.IO messenger server (ours or the Node baseline) with one
// scenario and prints one JSON line (stdout) and a human table (stderr).
#include <sys/resource.h>

#include <cstdio>
#include <iostream>

#include "coro.hpp"
#include "options.hpp"
#include "run_context.hpp"
#include "scenarios.hpp"

namespace {

// Each client is a descriptor; take everything the hard limit allows.
rlim_t raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cz::loadgen;
  int exit_code = 0;
  const auto options = parse_options(argc, argv, exit_code);
  if (!options) return exit_code;

  const rlim_t max_files = raise_open_files_limit();
  const std::size_t clients =
      options->scenario == "idle" || options->scenario == "connect-storm"
          ? options->connections
          : static_cast<std::size_t>(options->pairs) * (1 + options->tabs) + options->background;
  if (max_files > 0 && clients + 32 > max_files) {
    std::fprintf(stderr, "cz-loadgen: %zu clients need more descriptors than the limit (%llu)\n",
                 clients, static_cast<unsigned long long>(max_files));
    return 2;
  }

  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(options->host, ec);
  if (ec) {
    std::fprintf(stderr, "cz-loadgen: bad --host %s\n", options->host.c_str());
    return 2;
  }
  const boost::asio::ip::tcp::endpoint endpoint(address, options->port);
  Report report;
  if (options->scenario == "pairs" || options->scenario == "fanout") {
    exit_code = run_conversations(*options, endpoint, report);
  } else {
    RunContext ctx(*options, endpoint);
    boost::asio::co_spawn(
        ctx.io,
        [&]() -> awaitable<void> {
          if (options->scenario == "idle")
            exit_code = co_await run_idle(ctx, report);
          else
            exit_code = co_await run_connect_storm(ctx, report);
          ctx.io.stop();  // what is left (closed sockets' handlers) need not run
        },
        boost::asio::detached);
    ctx.io.run();
  }

  if (!options->json_only) std::cerr << report.table() << std::flush;
  std::cout << report.json_line() << std::endl;
  return exit_code;
}
