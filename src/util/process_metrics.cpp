#include "util/process_metrics.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

namespace cz::metrics {

namespace {

double cpu_seconds() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// /proc/self/statm: sizes in pages; field 0 virtual, field 1 resident.
double statm_bytes(int field) {
  std::ifstream in("/proc/self/statm");
  double pages[2] = {0, 0};
  in >> pages[0] >> pages[1];
  if (!in) return 0;
  return pages[field] * static_cast<double>(sysconf(_SC_PAGESIZE));
}

double open_fds() {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return 0;
  double n = 0;
  while (const dirent* entry = readdir(dir))
    if (entry->d_name[0] != '.') ++n;
  closedir(dir);
  return n - 1;  // the directory's own descriptor
}

double max_fds() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  return static_cast<double>(limit.rlim_cur);
}

// Seconds since the epoch when the process started: its start in clock ticks after boot
// (/proc/self/stat field 22, after the parenthesised name, which may hold spaces) plus the boot
// time (/proc/stat btime). Falls back to "now" (registration happens at start-up).
double start_time_seconds() {
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (!std::getline(stat, line)) return now;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return now;
  std::istringstream fields(line.substr(close + 2));
  std::string field;
  // Field 3 (state) is the first after the name; starttime is field 22.
  for (int i = 3; i < 22 && fields >> field;) ++i;
  double start_ticks = 0;
  if (!(fields >> start_ticks)) return now;
  std::ifstream proc_stat("/proc/stat");
  std::string key;
  double boot = 0;
  while (proc_stat >> key) {
    if (key == "btime") {
      proc_stat >> boot;
      break;
    }
    std::getline(proc_stat, key);
  }
  if (boot <= 0) return now;
  return boot + start_ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace

void register_process_metrics(Registry& registry) {
  static const auto handles = [&registry] {
    const double started = start_time_seconds();
    return std::vector<std::shared_ptr<void>>{
        registry.add_callback(Type::Counter, "process_cpu_seconds_total",
                              "Total user and system CPU time spent in seconds.", {}, cpu_seconds),
        registry.add_callback(Type::Gauge, "process_resident_memory_bytes",
                              "Resident memory size in bytes.", {}, [] { return statm_bytes(1); }),
        registry.add_callback(Type::Gauge, "process_virtual_memory_bytes",
                              "Virtual memory size in bytes.", {}, [] { return statm_bytes(0); }),
        registry.add_callback(Type::Gauge, "process_open_fds", "Number of open file descriptors.",
                              {}, open_fds),
        registry.add_callback(Type::Gauge, "process_max_fds",
                              "Maximum number of open file descriptors.", {}, max_fds),
        registry.add_callback(Type::Gauge, "process_start_time_seconds",
                              "Start time of the process since unix epoch in seconds.", {},
                              [started] { return started; }),
    };
  }();
  (void)handles;
}

}  // namespace cz::metrics
