// `--compat`: every entry names an end-to-end test that exists, so the list stays true to what
// the server does; the flag prints the list and exits 0 without starting anything.
#include "app/compat.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "app/config.hpp"

namespace cz::app {
namespace {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Compat, EveryEntryNamesAnEndToEndTestThatExists) {
  ASSERT_FALSE(compat_entries().empty());
  for (const CompatEntry& e : compat_entries()) {
    // A path join, not string concatenation: GCC 12 -O2 reports a false -Warray-bounds on
    // `std::string(literal) + "/" + ...` when the literal's length is just at the SSO size.
    const std::string source = read_file(std::filesystem::path(CZ_SOURCE_ROOT) / e.test_file);
    ASSERT_FALSE(source.empty()) << e.test_file << " is missing (entry: " << e.original << ")";
    // The title is in an it('...') of that file.
    EXPECT_NE(source.find(e.test_title), std::string::npos)
        << e.test_file << " has no test titled like \"" << e.test_title << "\"";
    EXPECT_NE(std::string(e.here), "");
  }
}

TEST(Compat, NoBehaviourIsListedTwice) {
  std::set<std::string> seen;
  for (const CompatEntry& e : compat_entries()) {
    EXPECT_TRUE(seen.insert(e.original).second) << e.original;
  }
}

TEST(Compat, TheFlagPrintsTheListAndExits) {
  const char* argv[] = {"cz-messenger", "--compat"};
  std::ostringstream out, err;
  int exit_code = -1;
  const auto config = parse_config(2, argv, exit_code, out, err);
  EXPECT_FALSE(config.has_value());
  EXPECT_EQ(exit_code, 0);
  const std::string text = out.str();
  for (const CompatEntry& e : compat_entries()) {
    EXPECT_NE(text.find(std::string(compat_verdict_name(e.verdict)) + ": " + e.original),
              std::string::npos)
        << e.original;
  }
  EXPECT_NE(text.find("refused: "), std::string::npos);
  EXPECT_NE(text.find("kept: "), std::string::npos);
}

}  // namespace
}  // namespace cz::app
