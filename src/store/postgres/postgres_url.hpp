#pragma once
// Store URLs for PostgreSQL: postgres://[user[:password]@]host[:port]/db[?params]
// (also postgresql://). Query parameters go to libpq (sslmode, connect_timeout, ...), except
// the store's own: readers=N (read connections, 1..64), queue_wait_ms=N (how long writes wait
// for a slow or unreachable server before they are refused, default 5000), queue_bytes=N (data
// queued before writes are refused at once, default 32 MiB), pipeline=0/1 (default 1),
// commit_window_us=N (group commit's wait for more writes under load, 0..100000, default 1000);
// see store/README.md.
#include <string>

#include "store/postgres/postgres_store.hpp"

namespace cz::store::postgres {

// Throws std::runtime_error with a readable message for a malformed URL (nothing is contacted).
PostgresOptions parse_postgres_url(const std::string& url);

}  // namespace cz::store::postgres
