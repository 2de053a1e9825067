#pragma once
// Store URLs for PostgreSQL: postgres://[user[:password]@]host[:port]/db[?params]
// (also postgresql://). Query parameters go to libpq (sslmode, connect_timeout, ...), except
// the store's own: readers=N (read connections, 1..64).
#include <string>

#include "store/postgres/postgres_store.hpp"

namespace cz::store::postgres {

// Throws std::runtime_error with a readable message for a malformed URL (nothing is contacted).
PostgresOptions parse_postgres_url(const std::string& url);

}  // namespace cz::store::postgres
