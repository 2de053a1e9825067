// util/thread_name.hpp: what `top -H` and perf show for our threads.
#include "util/thread_name.hpp"

#include <gtest/gtest.h>
#include <pthread.h>

#include <string>
#include <thread>

namespace cz {
namespace {

std::string name_after(const std::string& requested) {
  std::string seen;
  std::thread t([&] {
    name_this_thread(requested);
    char buffer[32] = {};
    pthread_getname_np(pthread_self(), buffer, sizeof buffer);
    seen = buffer;
  });
  t.join();
  return seen;
}

TEST(ThreadName, NamesTheCallingThread) {
  EXPECT_EQ(name_after("cz-writer"), "cz-writer");
}

TEST(ThreadName, ALongNameKeepsItsFirstFifteenBytes) {
  // Linux refuses a longer name outright; the thread gets its start instead of keeping none.
  EXPECT_EQ(name_after("cz-a-very-long-thread-name"), "cz-a-very-long-");
}

}  // namespace
}  // namespace cz
