#pragma once
// Latency samples in microseconds; exact percentiles computed once at the end of a run.
#include <cstdint>
#include <vector>

namespace cz::loadgen {

struct LatencySummary {
  std::size_t count = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0, mean_us = 0;
};

class LatencyRecorder {
 public:
  void reserve(std::size_t n) { samples_.reserve(n); }
  void add_ns(std::int64_t ns) {
    samples_.push_back(ns < 0 ? 0 : static_cast<std::uint32_t>(ns / 100));
  }
  std::size_t count() const { return samples_.size(); }
  std::size_t capacity() const { return samples_.capacity(); }
  void merge(LatencyRecorder&& other) {
    samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
  }
  // Sorts the samples (once) and summarizes them.
  LatencySummary summarize();

 private:
  std::vector<std::uint32_t> samples_;  // units of 100 ns: 7 minutes fit in 32 bits
};

// Nearest-rank percentile of sorted samples, `q` in [0, 1].
double percentile_of_sorted(const std::vector<std::uint32_t>& sorted, double q);

}  // namespace cz::loadgen
