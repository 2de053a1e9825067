#include "util/thread_name.hpp"

#include <pthread.h>

#include <string>

namespace cz {

void name_this_thread(std::string_view name) {
  constexpr std::size_t kMaxName = 15;  // TASK_COMM_LEN less the terminating NUL
  const std::string truncated(name.substr(0, kMaxName));
  pthread_setname_np(pthread_self(), truncated.c_str());  // only fails for a too-long name
}

}  // namespace cz
