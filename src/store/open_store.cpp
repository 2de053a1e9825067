// open_store(url): picks the implementation from the URL's scheme.
//
//   sqlite:PATH[?synchronous=full|normal&readers=N&commit_window_us=N&checkpoint_pages=N
//               &index_batch=N&appends=inline|thread&append_wait_ms=N]
//                                                      (also sqlite://PATH; sqlite:///abs/path)
//   postgres://...  postgresql://...                   (see postgres/postgres_url.hpp)
//   memory                                             (SQLite in this process's memory: not
//                                                       durable, for benchmarks and tests)
#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <filesystem>
#include <stdexcept>
#include <string_view>

#include "store/postgres/postgres_url.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/store.hpp"

namespace cz::store {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::runtime_error bad_url(std::string_view why) {
  return std::runtime_error(fmt::format("invalid store URL: {}", why));
}

// A whole decimal number in [lo, hi], else bad_url(why).
std::size_t parse_number(std::string_view value, std::size_t lo, std::size_t hi,
                         std::string_view why) {
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || end != value.data() + value.size() || n < lo || n > hi) {
    throw bad_url(why);
  }
  return n;
}

void apply_sqlite_option(sqlite::SqliteOptions& options, std::string_view key,
                         std::string_view value) {
  if (key == "synchronous") {
    if (value == "full")
      options.durability = sqlite::Durability::Full;
    else if (value == "normal")
      options.durability = sqlite::Durability::Normal;
    else
      throw bad_url("synchronous must be full or normal");
  } else if (key == "readers") {
    options.reader_threads = parse_number(value, 1, 64, "readers must be a number from 1 to 64");
  } else if (key == "commit_window_us") {
    options.commit_window = std::chrono::microseconds(
        parse_number(value, 0, 100'000, "commit_window_us must be a number from 0 to 100000"));
  } else if (key == "checkpoint_pages") {
    options.checkpoint_pages = static_cast<int>(parse_number(
        value, 100, 1'000'000, "checkpoint_pages must be a number from 100 to 1000000"));
  } else if (key == "appends") {
    if (value == "inline")
      options.inline_appends = true;
    else if (value == "thread")
      options.inline_appends = false;
    else
      throw bad_url("appends must be inline or thread");
  } else if (key == "append_wait_ms") {
    options.append_wait = std::chrono::milliseconds(
        parse_number(value, 0, 600'000, "append_wait_ms must be a number from 0 to 600000"));
  } else if (key == "index_batch") {
    options.index_batch =
        parse_number(value, 1, 100'000, "index_batch must be a number from 1 to 100000");
  } else {
    throw bad_url(fmt::format("unknown sqlite option '{}'", key));
  }
}

sqlite::SqliteOptions parse_sqlite_url(std::string_view rest) {
  if (starts_with(rest, "//")) rest.remove_prefix(2);  // sqlite://rel, sqlite:///abs
  sqlite::SqliteOptions options;
  const std::size_t q = rest.find('?');
  options.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) {
    std::string_view params = rest.substr(q + 1);
    while (!params.empty()) {
      const std::size_t amp = params.find('&');
      const std::string_view pair = params.substr(0, amp);
      const std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos)
        throw bad_url(fmt::format("expected key=value, got '{}'", pair));
      apply_sqlite_option(options, pair.substr(0, eq), pair.substr(eq + 1));
      params = amp == std::string_view::npos ? std::string_view() : params.substr(amp + 1);
    }
  }
  if (options.path.empty()) throw bad_url("sqlite: needs a file path, e.g. sqlite:./data/cz.db");
  if (options.path == ":memory:" || starts_with(options.path, "file:")) {
    // Every thread has its own connection; an in-memory database is private to one connection.
    throw bad_url("sqlite: needs a plain file path (in-memory databases are not supported)");
  }
  return options;
}

std::unique_ptr<Store> open_sqlite(std::string_view rest) {
  sqlite::SqliteOptions options = parse_sqlite_url(rest);
  const std::filesystem::path parent = std::filesystem::path(options.path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      throw std::runtime_error(fmt::format("cannot create directory {} for the database: {}",
                                           parent.string(), ec.message()));
    }
  }
  return std::make_unique<sqlite::SqliteStore>(std::move(options));
}

// One database per call: two stores opened in one process never share their rows.
std::unique_ptr<Store> open_memory() {
  static std::atomic<int> opened{0};
  sqlite::SqliteOptions options;
  options.path = fmt::format("/cz-memory-{}", ++opened);
  options.in_memory = true;
  return std::make_unique<sqlite::SqliteStore>(std::move(options));
}

}  // namespace

std::unique_ptr<Store> open_store(const std::string& url) {
  const std::string_view u = url;
  if (u == "memory" || u == "memory:") return open_memory();
  if (starts_with(u, "sqlite:")) return open_sqlite(u.substr(7));
  if (starts_with(u, "postgres://") || starts_with(u, "postgresql://")) {
    return std::make_unique<postgres::PostgresStore>(postgres::parse_postgres_url(url));
  }
  throw bad_url("expected sqlite:PATH, postgres://... or memory");
}

}  // namespace cz::store
