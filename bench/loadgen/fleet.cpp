#include "fleet.hpp"

#include <chrono>

namespace cz::loadgen {

Fleet::Fleet(RunContext& ctx, FleetHandler& handler) : ctx_(ctx), handler_(handler) {}

Fleet::~Fleet() {
  close_all();
}

std::size_t Fleet::add(std::string user_id, std::string role) {
  const std::size_t index = clients_.size();
  clients_.push_back(std::make_unique<SioClient>(ctx_.io, static_cast<SioListener&>(*this), index));
  pending_credentials_.push_back(ctx_.credentials(std::move(user_id), std::move(role)));
  connect_started_ns_.push_back(0);
  phase_.push_back(Phase::waiting);
  return index;
}

awaitable<void> Fleet::connect_all(unsigned concurrency, double timeout_s) {
  concurrency_ = concurrency;
  if (stats_.begin_ns == 0) stats_.begin_ns = now_ns();
  start_more();
  std::int64_t last_scan_ns = now_ns();
  while (next_to_start_ < clients_.size() || in_progress_ > 0) {
    co_await ctx_.sleep_for(std::chrono::milliseconds(5));
    if (now_ns() - last_scan_ns > 100'000'000) {  // a scan of all clients is not free
      last_scan_ns = now_ns();
      expire_slow_connects(timeout_s);
    }
  }
}

void Fleet::start_more() {
  while (in_progress_ < concurrency_ && next_to_start_ < clients_.size()) {
    const std::size_t index = next_to_start_++;
    ++in_progress_;
    ++stats_.attempted;
    connect_started_ns_[index] = now_ns();
    phase_[index] = Phase::connecting;
    clients_[index]->connect(ctx_.target, pending_credentials_[index]);
  }
}

void Fleet::expire_slow_connects(double timeout_s) {
  const auto deadline = now_ns() - static_cast<std::int64_t>(timeout_s * 1e9);
  for (std::size_t i = 0; i < next_to_start_; ++i) {
    auto& client = *clients_[i];
    if (phase_[i] == Phase::connecting && connect_started_ns_[i] < deadline) {
      client.fail(SioFailure::timeout, "no namespace CONNECT in time");
    }
  }
}

void Fleet::on_connected(SioClient& client) {
  const auto now = now_ns();
  --in_progress_;
  ++stats_.connected;
  stats_.last_connected_ns = now;
  stats_.latency.add_ns(now - connect_started_ns_[client.index()]);
  phase_[client.index()] = Phase::connected;
  pending_credentials_[client.index()] = SioCredentials{};
  start_more();
}

void Fleet::on_failed(SioClient& client, SioFailure failure, std::string_view detail) {
  const Phase phase = phase_[client.index()];
  phase_[client.index()] = Phase::done;
  if (phase == Phase::connecting) {
    --in_progress_;
    ++stats_.failed;
    ++stats_.failures[std::string(to_string(failure))];
    if (stats_.first_failure.empty())
      stats_.first_failure = std::string(to_string(failure)) + ": " + std::string(detail);
    pending_credentials_[client.index()] = SioCredentials{};
    start_more();
  } else if (phase == Phase::connected) {
    ++dropped_;
    if (first_drop_.empty())
      first_drop_ = std::string(to_string(failure)) + ": " + std::string(detail);
  }
}

void Fleet::on_event(SioClient& client, std::string_view name, const rapidjson::Value& arg) {
  handler_.on_event(client, name, arg);
}

void Fleet::on_ack(SioClient& client, std::uint64_t ack_id, const rapidjson::Value& arg) {
  handler_.on_ack(client, ack_id, arg);
}

void Fleet::close_all() {
  for (auto& client : clients_) client->close();
}

}  // namespace cz::loadgen
