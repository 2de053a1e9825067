#pragma once
// `cz-messenger --compat`: the original Node service's behaviours (../shared/spec, as read from
// its source) that clients can see, and whether this server keeps, changes or refuses each one.
// Every entry names the end-to-end test that shows our side of it (tests/unit/app/compat_test.cpp
// checks that each named test exists), so the list cannot drift from what the server does.
// docs/migrating.md explains the refusals to operators moving their traffic over.
#include <ostream>
#include <span>

namespace cz::app {

enum class CompatVerdict { Kept, Changed, Refused };

struct CompatEntry {
  const char* original;  // what the Node service does
  CompatVerdict verdict;
  const char* here;        // what this server does
  const char* test_file;   // relative to the repository root
  const char* test_title;  // a part of the title of the test (it(...)) in that file
};

std::span<const CompatEntry> compat_entries();
const char* compat_verdict_name(CompatVerdict verdict);
void print_compat(std::ostream& out);

}  // namespace cz::app
