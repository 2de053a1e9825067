#pragma once
// Reads the server process's CPU time and memory from /proc, so that cost per message is
// measured on the server itself (meaningful on a noisy shared machine).
#include <sys/types.h>
#include <cstdint>
#include <optional>
#include <string>

namespace cz::loadgen {

struct ProcessSample {
  std::int64_t cpu_us = 0;  // utime + stime of all threads, dead ones included
  std::int64_t rss_kib = 0;
  int threads = 0;
};

class ServerProbe {
 public:
  explicit ServerProbe(pid_t pid) : pid_(pid) {}
  bool enabled() const { return pid_ > 0; }
  std::optional<ProcessSample> sample() const;
  // The process's command name (/proc/PID/comm): shows in the results which process was
  // sampled, so that a wrong --server-pid is visible.
  std::string name() const;

 private:
  pid_t pid_;
};

// CPU time and RSS of the generator itself (to show it was not the bottleneck).
ProcessSample self_sample();

}  // namespace cz::loadgen
