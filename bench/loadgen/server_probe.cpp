#include "server_probe.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace cz::loadgen {
namespace {

std::int64_t status_kib(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(key.size()));
  }
  return 0;
}

}  // namespace

std::optional<ProcessSample> ServerProbe::sample() const {
  if (pids_.empty()) return std::nullopt;
  ProcessSample total;
  for (const pid_t pid : pids_) {
    const auto one = sample_one(pid);
    if (!one) return std::nullopt;
    total.cpu_us += one->cpu_us;
    total.rss_kib += one->rss_kib;
    total.threads += one->threads;
  }
  return total;
}

std::optional<ProcessSample> ServerProbe::sample_one(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  const std::string base = "/proc/" + std::to_string(pid);
  std::ifstream in(base + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return std::nullopt;
  // The command name (field 2) may hold spaces: fields are counted after its closing ')'.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  ProcessSample s;
  long long utime = 0, stime = 0;
  for (int index = 3; fields >> field; ++index) {
    if (index == 14) utime = std::stoll(field);
    if (index == 15) stime = std::stoll(field);
    if (index == 20) {
      s.threads = std::stoi(field);
      break;
    }
  }
  static const long ticks_per_second = sysconf(_SC_CLK_TCK);
  s.cpu_us = (utime + stime) * 1000000LL / ticks_per_second;
  s.rss_kib = status_kib(base + "/status", "VmRSS:");
  return s;
}

std::string ServerProbe::name() const {
  std::string names;
  for (const pid_t pid : pids_) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/comm");
    std::string comm;
    std::getline(in, comm);
    if (!names.empty()) names += '+';
    names += comm;
  }
  return names;
}

ProcessSample self_sample() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  ProcessSample s;
  s.cpu_us = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000LL + usage.ru_utime.tv_usec +
             usage.ru_stime.tv_usec;
  s.rss_kib = status_kib("/proc/self/status", "VmRSS:");
  s.threads = 1;
  return s;
}

}  // namespace cz::loadgen
