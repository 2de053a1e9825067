#pragma once
// The standard process_* metrics of Prometheus client libraries, read from /proc and getrusage
// at scrape time (nothing is counted in between): CPU seconds, resident and virtual memory, open
// and maximum file descriptors, start time.
#include "util/metrics.hpp"

namespace cz::metrics {

// Registers them in `registry` once per process (later calls do nothing).
void register_process_metrics(Registry& registry);

}  // namespace cz::metrics
