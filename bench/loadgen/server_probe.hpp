#pragma once
// Reads the server processes' CPU time and memory from /proc, so that cost per message is
// measured on the server itself (meaningful on a noisy shared machine). Several processes (the
// nodes of a cluster; or Redis and PostgreSQL as "infrastructure") are summed.
#include <sys/types.h>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cz::loadgen {

struct ProcessSample {
  std::int64_t cpu_us = 0;  // utime + stime of all threads, dead ones included
  std::int64_t rss_kib = 0;
  int threads = 0;
};

class ServerProbe {
 public:
  explicit ServerProbe(std::vector<pid_t> pids) : pids_(std::move(pids)) {}
  bool enabled() const { return !pids_.empty(); }
  // The sum over every process; nullopt when any of them cannot be read.
  std::optional<ProcessSample> sample() const;
  // The processes' command names (/proc/PID/comm), joined by '+': shows in the results which
  // processes were sampled, so that a wrong --server-pid is visible.
  std::string name() const;

 private:
  static std::optional<ProcessSample> sample_one(pid_t pid);
  std::vector<pid_t> pids_;
};

// CPU time and RSS of the generator itself (to show it was not the bottleneck).
ProcessSample self_sample();

}  // namespace cz::loadgen
