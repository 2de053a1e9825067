#include "latency.hpp"

#include <algorithm>
#include <cmath>

namespace cz::loadgen {

double percentile_of_sorted(const std::vector<std::uint32_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  const std::size_t index = rank == 0 ? 0 : std::min(rank - 1, sorted.size() - 1);
  return sorted[index] / 10.0;
}

LatencySummary LatencyRecorder::summarize() {
  std::sort(samples_.begin(), samples_.end());
  LatencySummary s;
  s.count = samples_.size();
  if (samples_.empty()) return s;
  s.p50_us = percentile_of_sorted(samples_, 0.50);
  s.p90_us = percentile_of_sorted(samples_, 0.90);
  s.p99_us = percentile_of_sorted(samples_, 0.99);
  s.p999_us = percentile_of_sorted(samples_, 0.999);
  s.max_us = samples_.back() / 10.0;
  double total = 0;
  for (const auto v : samples_) total += v;
  s.mean_us = total / 10.0 / static_cast<double>(samples_.size());
  return s;
}

}  // namespace cz::loadgen
