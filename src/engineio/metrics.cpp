#include "engineio/metrics.hpp"

namespace cz::engineio {

EngineMetrics& engine_metrics() {
  static EngineMetrics m = [] {
    auto& r = metrics::registry();
    constexpr const char* handshakes = "cz_engineio_handshakes_total";
    constexpr const char* help = "Engine.IO sessions opened, by the transport they opened with";
    return EngineMetrics{
        r.counter(handshakes, help, {{"transport", "polling"}}),
        r.counter(handshakes, help, {{"transport", "websocket"}}),
        r.counter(metrics::kSlowClientsDropped, metrics::kSlowClientsDroppedHelp,
                  {{"transport", "polling"}}),
    };
  }();
  return m;
}

}  // namespace cz::engineio
