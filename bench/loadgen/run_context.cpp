#include "run_context.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "jwt.hpp"

namespace cz::loadgen {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

RunContext::RunContext(const Options& opts, const boost::asio::ip::tcp::endpoint& endpoint)
    : options(opts),
      target{endpoint, opts.nsp},
      probe(opts.server_pids),
      infra(opts.infra_pids),
      token_issued_at_s_(std::time(nullptr)) {}

SioCredentials RunContext::credentials(std::string user_id, std::string role) const {
  // A day of validity: runs are bounded far below that.
  std::string token =
      mint_hs256_token(options.jwt_secret, user_id, role, token_issued_at_s_, 24 * 3600);
  return SioCredentials{std::move(user_id), std::move(role), std::move(token)};
}

awaitable<void> RunContext::sleep_for(std::chrono::nanoseconds duration) {
  boost::asio::steady_timer timer(io, duration);
  co_await timer.async_wait(boost::asio::use_awaitable);
}

void Measurement::begin() {
  begin_ns_ = now_ns();
  server_begin_ = ctx_.probe.sample();
  infra_begin_ = ctx_.infra.sample();
  self_begin_ = self_sample();
  watch_->active = true;
  watch_->max_kib = server_begin_ ? server_begin_->rss_kib : 0;
  if (!ctx_.probe.enabled()) return;
  boost::asio::co_spawn(
      ctx_.io,
      [watch = watch_, probe = ctx_.probe, &io = ctx_.io]() -> awaitable<void> {
        boost::asio::steady_timer timer(io);
        while (watch->active) {
          if (const auto s = probe.sample()) watch->max_kib = std::max(watch->max_kib, s->rss_kib);
          timer.expires_after(std::chrono::milliseconds(100));
          co_await timer.async_wait(boost::asio::use_awaitable);
        }
      },
      boost::asio::detached);
}

void Measurement::end() {
  watch_->active = false;
  end_ns_ = now_ns();
  server_end_ = ctx_.probe.sample();
  infra_end_ = ctx_.infra.sample();
  self_end_ = self_sample();
  if (server_end_) watch_->max_kib = std::max(watch_->max_kib, server_end_->rss_kib);
}

namespace {

// CPU microseconds per unit (message, connection), to two decimals; none without units.
std::optional<double> per_unit(double cpu_us, double units) {
  if (units <= 0) return std::nullopt;
  return std::round(cpu_us / units * 100) / 100;
}

}  // namespace

void Measurement::write(Report& report, double units, const std::string& unit_name) const {
  const double wall_us = static_cast<double>(end_ns_ - begin_ns_) / 1000.0;
  report.set("window_s", std::round(wall_us / 1e3) / 1e3);
  if (server_begin_ && server_end_) {
    report.set("server_process", ctx_.probe.name());
    const auto cpu = static_cast<double>(server_end_->cpu_us - server_begin_->cpu_us);
    report.set("server_cpu_us", cpu);
    report.set_optional("server_cpu_us_per_" + unit_name, per_unit(cpu, units));
    report.set("server_cpu_pct", std::round(cpu / wall_us * 1000) / 10);
    report.set("server_rss_begin_kib", server_begin_->rss_kib);
    report.set("server_rss_end_kib", server_end_->rss_kib);
    report.set("server_rss_max_kib", watch_->max_kib);
    report.set("server_threads", static_cast<std::int64_t>(server_end_->threads));
  } else {
    report.set("server_cpu_us", std::monostate{});
    report.set("server_cpu_us_per_" + unit_name, std::monostate{});
  }
  if (infra_begin_ && infra_end_) {
    report.set("infra_process", ctx_.infra.name());
    const auto cpu = static_cast<double>(infra_end_->cpu_us - infra_begin_->cpu_us);
    report.set("infra_cpu_us", cpu);
    report.set_optional("infra_cpu_us_per_" + unit_name, per_unit(cpu, units));
  }
  const auto self_cpu = static_cast<double>(self_end_.cpu_us - self_begin_.cpu_us);
  report.set("loadgen_cpu_pct", std::round(self_cpu / wall_us * 1000) / 10);
  report.set("loadgen_rss_kib", self_end_.rss_kib);
}

}  // namespace cz::loadgen
