#pragma once
// The clients of a run: creates them, connects them to the namespace with a cap on connects
// in progress and a per-client timeout, and forwards what they receive to the scenario.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "latency.hpp"
#include "run_context.hpp"
#include "sio_client.hpp"

namespace cz::loadgen {

class FleetHandler {
 public:
  virtual void on_event(SioClient&, std::string_view /*name*/, const rapidjson::Value& /*arg*/) {}
  virtual void on_ack(SioClient&, std::uint64_t /*ack_id*/, const rapidjson::Value& /*arg*/) {}

 protected:
  ~FleetHandler() = default;
};

struct ConnectStats {
  std::size_t attempted = 0;
  std::size_t connected = 0;
  std::size_t failed = 0;
  std::map<std::string, std::size_t> failures;  // by kind
  std::string first_failure;                    // kind + detail of the first one, for the report
  LatencyRecorder latency;                      // start of TCP connect -> namespace CONNECT ack
  std::int64_t begin_ns = 0;
  std::int64_t last_connected_ns = 0;
};

class Fleet final : private SioListener {
 public:
  Fleet(RunContext& ctx, FleetHandler& handler);
  ~Fleet();

  // Adds a client, not yet connected; returns its index.
  std::size_t add(std::string user_id, std::string role);
  std::size_t size() const { return clients_.size(); }
  SioClient& operator[](std::size_t index) { return *clients_[index]; }

  // Connects every added client not yet started; returns when each is connected or failed.
  awaitable<void> connect_all(unsigned concurrency, double timeout_s);
  void close_all();

  ConnectStats& connect_stats() { return stats_; }
  // Clients that failed after being connected (server closed them, protocol error...).
  std::size_t dropped() const { return dropped_; }
  std::string first_drop() const { return first_drop_; }

 private:
  void on_connected(SioClient& client) override;
  void on_failed(SioClient& client, SioFailure failure, std::string_view detail) override;
  void on_event(SioClient& client, std::string_view name, const rapidjson::Value& arg) override;
  void on_ack(SioClient& client, std::uint64_t ack_id, const rapidjson::Value& arg) override;
  void start_more();
  void expire_slow_connects(double timeout_s);

  RunContext& ctx_;
  FleetHandler& handler_;
  std::vector<std::unique_ptr<SioClient>> clients_;
  std::vector<SioCredentials> pending_credentials_;  // freed once connected
  std::vector<std::int64_t> connect_started_ns_;
  enum class Phase : std::uint8_t { waiting, connecting, connected, done };
  std::vector<Phase> phase_;
  std::size_t next_to_start_ = 0;
  std::size_t in_progress_ = 0;
  unsigned concurrency_ = 1;
  ConnectStats stats_;
  std::size_t dropped_ = 0;
  std::string first_drop_;
};

}  // namespace cz::loadgen
