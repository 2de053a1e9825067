#pragma once
// Versioned schema migrations. The database's version is PRAGMA user_version; migrations are an
// ordered list, and opening the store applies the ones above the stored version in ONE
// transaction together with the new version number, so a crash mid-way leaves the old schema.
#include <span>

#include "store/sqlite/connection.hpp"

namespace cz::store::sqlite {

struct Migration {
  int version;      // 1, 2, 3, ... strictly increasing
  const char* sql;  // one or more statements
};

// The migrations of this build, oldest first.
std::span<const Migration> schema_migrations();

// Brings the database up to the last of `migrations`; returns how many were applied. Throws
// StoreFailure when the database is newer than this list or a migration fails (then nothing of
// this call is applied).
int apply_migrations(Connection& db, std::span<const Migration> migrations);

int schema_version(Connection& db);

}  // namespace cz::store::sqlite
