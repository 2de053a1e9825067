#pragma once
// Names the calling thread (what `top -H`, `ps -L`, perf's per-thread figures and
// /proc/<pid>/task/<tid>/comm show), so that an operator or a profile can tell the event loops
// from the store's threads. Linux keeps 15 bytes of it.
#include <string_view>

namespace cz {

void name_this_thread(std::string_view name);

}  // namespace cz
