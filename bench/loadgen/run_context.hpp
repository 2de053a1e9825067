#pragma once
// What every scenario shares: the event loop, the options, the server under test and the
// clock; and Measurement, the server-side CPU/RSS window of a run.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "coro.hpp"
#include "options.hpp"
#include "report.hpp"
#include "server_probe.hpp"
#include "sio_client.hpp"

namespace cz::loadgen {

using boost::asio::awaitable;

std::int64_t now_ns();

class RunContext {
 public:
  RunContext(const Options& options, const boost::asio::ip::tcp::endpoint& endpoint);

  boost::asio::io_context io;
  const Options& options;
  SioTarget target;
  ServerProbe probe;
  ServerProbe infra;  // --infra-pid

  SioCredentials credentials(std::string user_id, std::string role) const;
  awaitable<void> sleep_for(std::chrono::nanoseconds duration);

 private:
  std::int64_t token_issued_at_s_;
};

// Server CPU time and RSS, and the generator's own CPU, over a measured window.
class Measurement {
 public:
  explicit Measurement(RunContext& ctx) : ctx_(ctx) {}
  ~Measurement() { watch_->active = false; }
  // Samples now, then the server's RSS every 100 ms until end(), keeping the maximum.
  void begin();
  void end();
  // server_cpu_us, server_cpu_us_per_<unit>, server_cpu_pct, server_rss_*, loadgen_cpu_pct.
  void write(Report& report, double units, const std::string& unit_name) const;
  double seconds() const { return static_cast<double>(end_ns_ - begin_ns_) / 1e9; }

 private:
  // Shared with the sampling coroutine, which may wake after this object is gone.
  struct RssWatch {
    bool active = false;
    std::int64_t max_kib = 0;
  };

  RunContext& ctx_;
  std::shared_ptr<RssWatch> watch_ = std::make_shared<RssWatch>();
  std::optional<ProcessSample> infra_begin_, infra_end_;
  std::int64_t begin_ns_ = 0, end_ns_ = 0;
  std::optional<ProcessSample> server_begin_, server_end_;
  ProcessSample self_begin_, self_end_;
};

}  // namespace cz::loadgen
