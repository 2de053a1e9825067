#include "store/postgres/postgres_store.hpp"

#include <spdlog/spdlog.h>

#include "util/ids.hpp"

template class cz::store::StoreFront<cz::store::postgres::Backend>;

namespace cz::store::postgres {
namespace {

// The largest id we generated: ours start with '0' until the year 3084; imported ones
// (`cz-messenger import`: the original's cuids start with 'c', ObjectIds with '1'-'f' since
// 1978) sort above them and must not hide our maximum. Ids are keys only (order is the row's
// position, message_ops.cpp), but they stay unique and growing across restarts.
constexpr const char* kOwnIdsMaxSql = "SELECT max(id) FROM messages WHERE id < '1'";

void advance_past_stored_ids(const PgResult& max_id) {
  if (max_id.rows() == 1 && !max_id.is_null(0, 0)) advance_ids_past(max_id.text(0, 0));
}

std::unique_ptr<Connection> connect(const PostgresOptions& options, std::string name, bool reader,
                                    decltype(ConnectionOptions::retry_begin) retry_begin = {}) {
  ConnectionOptions o;
  o.url = options.url;
  o.name = std::move(name);
  o.connect_timeout_s = options.connect_timeout_s;
  o.retry_lost_reads = reader;
  o.pipeline = !reader && options.pipeline;
  if (!reader) {
    o.retry_begin = std::move(retry_begin);
    // One connection: retried often enough that a write waiting out an outage sees the server
    // back within a quarter second.
    o.max_backoff = std::chrono::milliseconds(250);
  }
  return std::make_unique<Connection>(std::move(o));
}

}  // namespace

PostgresStore::PostgresStore(PostgresOptions options)
    : StoreFront(WriteLimits{options.queue_wait, options.max_queued_bytes}) {
  const PostgresOptions& o = options;
  auto write_conn = connect(o, "writer", false, [this](const StoreFailure&, auto trying) {
    return wait_while_unreachable(trying);
  });
  const int applied = Backend::apply_migrations(*write_conn, Backend::schema_migrations());
  spdlog::info("store: PostgreSQL {} (schema version {}, {} migration(s) applied now)",
               write_conn->describe(), Backend::schema_version(*write_conn), applied);
  // As the SQLite store: ids keep growing across a restart even if the clock stepped back.
  advance_past_stored_ids(write_conn->exec(kOwnIdsMaxSql));

  std::vector<std::unique_ptr<Connection>> read_conns;
  const std::size_t readers = o.reader_connections ? o.reader_connections : 1;
  for (std::size_t i = 0; i < readers; ++i) {
    read_conns.push_back(connect(o, "reader " + std::to_string(i + 1), true));
  }
  start(std::move(write_conn), std::move(read_conns),
        FrontOptions{o.max_batch, o.max_queued_writes, o.max_queued_reads, o.commit_window});
}

PostgresStore::~PostgresStore() {
  shutdown();
}

}  // namespace cz::store::postgres
