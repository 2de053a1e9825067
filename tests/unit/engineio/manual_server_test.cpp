// Not a test: a way to run a real Engine.IO echo server for checks with the official Node client
// (tests/e2e/engineio/eio_client_check.js). Disabled unless asked for:
//   CZ_EIO_PORT=0 CZ_EIO_SECONDS=30 unit_engineio --gtest_also_run_disabled_tests
//       --gtest_filter='*DISABLED_ServeEchoForManualChecks*'
// It prints "listening on http://127.0.0.1:PORT" and serves for CZ_EIO_SECONDS seconds.
#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <iostream>

#include "echo_acceptor.hpp"
#include "engineio/server.hpp"
#include "net/http_server.hpp"
#include "net/router.hpp"

namespace cz::engineio {
namespace {

TEST(EngineIoManual, DISABLED_ServeEchoForManualChecks) {
  const char* port_env = std::getenv("CZ_EIO_PORT");
  const char* seconds_env = std::getenv("CZ_EIO_SECONDS");
  const char* ping_env = std::getenv("CZ_EIO_PING_INTERVAL");
  net::IoPool pool(2);
  auto log = std::make_shared<testing::EchoLog>();
  testing::EchoAcceptor acceptor(log);
  ServerOptions options;
  options.cors_origins = {"*"};
  if (ping_env) {
    options.ping_interval = std::chrono::milliseconds(std::atoi(ping_env));
    options.ping_timeout = std::chrono::milliseconds(std::atoi(ping_env));
  }
  auto eio = std::make_shared<Server>(pool, acceptor, options);
  net::Router router;
  router.add("/socket.io/", eio);
  router.add("/healthz", net::make_health_handler());
  net::HttpServerOptions http_options;
  http_options.port = static_cast<std::uint16_t>(port_env ? std::atoi(port_env) : 0);
  http_options.websocket_max_message = options.max_payload;
  net::HttpServer server(pool, router, http_options);
  server.start();
  std::cout << "listening on http://127.0.0.1:" << server.port() << std::endl;
  boost::asio::steady_timer timer(pool.context(0));
  timer.expires_after(std::chrono::seconds(seconds_env ? std::atoi(seconds_env) : 30));
  timer.async_wait([&](const boost::system::error_code&) {
    eio->close_all();
    server.stop(std::chrono::milliseconds(1000), [&] { pool.stop(); });
  });
  pool.run();
  std::lock_guard lock(log->mutex);
  std::cout << "connections: " << log->connections << ", closes:";
  for (auto& r : log->close_reasons) std::cout << " [" << r << "]";
  std::cout << std::endl;
}

}  // namespace
}  // namespace cz::engineio
