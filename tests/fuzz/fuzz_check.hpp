#pragma once
// Properties the fuzz targets assert on every input. A broken one must stop the fuzzer and keep
// the input, like a crash: so it prints what failed and aborts (libFuzzer saves the input as a
// crash-* file). A macro, for the expression text and the line.
#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                   \
  do {                                                                                          \
    if (!(condition)) {                                                                         \
      std::fprintf(stderr, "FUZZ_CHECK failed: %s at %s:%d\n", #condition, __FILE__, __LINE__); \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)
