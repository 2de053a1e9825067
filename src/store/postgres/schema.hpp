#pragma once
// Versioned schema migrations for PostgreSQL.
//
// The applied versions are rows of cz_schema_migrations. Opening a store applies the missing
// migrations in ONE transaction that first takes a transaction-scoped advisory lock, so several
// nodes starting at once against one database migrate it exactly once: the others wait for the
// lock, then find the work done. A failed migration rolls back with everything of that call.
#include <span>

#include "store/postgres/connection.hpp"

namespace cz::store::postgres {

struct Migration {
  int version;      // 1, 2, 3, ... strictly increasing
  const char* sql;  // one or more statements
};

// The migrations of this build, oldest first.
std::span<const Migration> schema_migrations();

// Brings the database up to the last of `migrations`; returns how many were applied here. Throws
// StoreFailure when the database is newer than this list or a migration fails.
int apply_migrations(Connection& db, std::span<const Migration> migrations);

// The highest applied version (0 for an empty database).
int schema_version(Connection& db);

}  // namespace cz::store::postgres
