#pragma once
// Versioned schema migrations, the part every backend shares: a migration is a version and its
// SQL; the ones above the database's version are applied in order, inside one transaction of
// the backend's (sqlite/schema.cpp, postgres/schema.cpp), which also records the version. To
// change a schema, APPEND a migration (never edit a released one).
#include <fmt/format.h>

#include <span>

#include "store/errors.hpp"

namespace cz::store {

struct Migration {
  int version;      // 1, 2, 3, ... strictly increasing
  const char* sql;  // one or more statements
};

// Calls apply(m) for each of `migrations` above `current` (the database's version), oldest
// first, and returns how many. Throws StoreFailure when the database is newer than the list.
template <typename Apply>
int apply_pending(std::span<const Migration> migrations, int current, Apply apply) {
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  if (current > latest) {
    throw StoreFailure(make_error(
        kStoreError, fmt::format("database schema version {} is newer than this build knows ({})",
                                 current, latest)));
  }
  int applied = 0;
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    apply(m);
    ++applied;
  }
  return applied;
}

}  // namespace cz::store
