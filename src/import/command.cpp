#include "import/command.hpp"

#include <fmt/core.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "import/runner.hpp"

namespace cz::import {
namespace {

void print_file(const char* kind, const FileReport& f, bool dry_run) {
  if (f.path.empty()) return;
  fmt::print("{:<9}{} ({}): {} read, {} {}, {} duplicates skipped, {} rejected", kind, f.path,
             f.format ? format_name(*f.format) : "unreadable", f.read, f.imported,
             dry_run ? "to import" : "imported", f.duplicates, f.rejected);
  if (f.without_client_id > 0)
    fmt::print(" ({} stored without a client_message_id the sender had used before)",
               f.without_client_id);
  if (f.seconds > 0 && f.read > 0)
    fmt::print(", {:.1f} s, {:.0f} documents/s", f.seconds,
               static_cast<double>(f.read) / f.seconds);
  fmt::print("\n");
}

void print_text(const ImportReport& r) {
  fmt::print("import summary{}\n", r.dry_run ? " (dry run: nothing was stored)" : "");
  print_file("rooms", r.rooms, r.dry_run);
  print_file("messages", r.messages, r.dry_run);
  for (const Rejection& x : r.rejections)
    fmt::print("rejected: {} {}: {}\n", x.file, x.position, x.reason);
  const std::uint64_t rejected = r.rooms.rejected + r.messages.rejected;
  if (rejected > r.rejections.size())
    fmt::print("... and {} more rejected documents\n", rejected - r.rejections.size());
  if (r.fatal) fmt::print("stopped: {}\n", *r.fatal);
  fmt::print("elapsed {:.1f} s\n", r.seconds);
}

void write_file(rapidjson::Writer<rapidjson::StringBuffer>& w, const FileReport& f) {
  w.StartObject();
  w.Key("path");
  w.String(f.path);
  w.Key("format");
  if (f.format)
    w.String(format_name(*f.format));
  else
    w.Null();
  w.Key("read");
  w.Uint64(f.read);
  w.Key("imported");
  w.Uint64(f.imported);
  w.Key("duplicates");
  w.Uint64(f.duplicates);
  w.Key("without_client_id");
  w.Uint64(f.without_client_id);
  w.Key("rejected");
  w.Uint64(f.rejected);
  w.Key("seconds");
  w.Double(f.seconds);
  w.EndObject();
}

// The summary as one JSON object (scripts, the bench, the e2e tests).
void print_json(const ImportReport& r) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  w.StartObject();
  w.Key("dry_run");
  w.Bool(r.dry_run);
  w.Key("rooms");
  write_file(w, r.rooms);
  w.Key("messages");
  write_file(w, r.messages);
  w.Key("rejections");
  w.StartArray();
  for (const Rejection& x : r.rejections) {
    w.StartObject();
    w.Key("file");
    w.String(x.file);
    w.Key("position");
    w.String(x.position);
    w.Key("reason");
    w.String(x.reason);
    w.EndObject();
  }
  w.EndArray();
  w.Key("fatal");
  if (r.fatal)
    w.String(*r.fatal);
  else
    w.Null();
  w.Key("seconds");
  w.Double(r.seconds);
  w.EndObject();
  fmt::print("{}\n", out.GetString());
}

// SQLite: the server checkpoints every 1000 WAL pages (a short stall each, for latency); an
// import writes tens of thousands of pages per transaction, so it checkpoints less often
// (1M messages: 41k/s at 1000 pages with 5,000-document batches, 75k/s at 20000 with 50,000;
// bench/RESULTS.md). An explicit checkpoint_pages in the URL wins.
std::string tuned_store_url(const std::string& url) {
  if (url.rfind("sqlite:", 0) != 0 || url.find("checkpoint_pages=") != std::string::npos)
    return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "checkpoint_pages=20000";
}

}  // namespace

int import_command(int argc, char** argv) {
  std::string store_url = "sqlite:./data/cz-messenger.db";
  ImportOptions options;
  bool json = false, quiet = false;
  std::string log_level = "warn";
  CLI::App app{
      "Loads the original (Node.js) service's MongoDB data into our store: the rooms and "
      "messages collections, as mongoexport (JSON lines or --jsonArray, Extended JSON v2 relaxed "
      "or canonical) or mongodump (BSON) wrote them. Rerunning skips what is stored.",
      "cz-messenger import"};
  app.add_option("--store", store_url, "Store URL, as the server's --store")
      ->envname("CZ_STORE")
      ->capture_default_str();
  app.add_option("--rooms", options.rooms_path, "The rooms collection's export")
      ->check(CLI::ExistingFile);
  app.add_option("--messages", options.messages_path, "The messages collection's export")
      ->check(CLI::ExistingFile);
  app.add_flag("--dry-run", options.dry_run, "Read, map and check everything; store nothing");
  app.add_option("--batch", options.batch, "Documents per transaction")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  app.add_flag("--json", json, "Print the summary as one JSON object");
  app.add_flag("--quiet", quiet, "No progress lines on stderr");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  try {
    app.parse(argc, argv);
    if (options.rooms_path.empty() && options.messages_path.empty())
      throw CLI::RequiredError("--rooms or --messages");
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);  // prints the help, or the error with a hint
    return code == 0 ? 0 : 2;
  }
  spdlog::set_level(spdlog::level::from_str(log_level));
  if (!quiet) {
    options.progress = [](const std::string& line) {
      fmt::print(stderr, "{}\n", line);
      std::fflush(stderr);
    };
  }

  std::unique_ptr<store::Store> store;
  try {
    store = store::open_store(tuned_store_url(store_url));
  } catch (const std::exception& e) {
    fmt::print(stderr, "cz-messenger import: cannot open the store: {}\n", e.what());
    return 1;
  }
  ImportReport report = run_import(*store, options);
  store->shutdown();
  if (json)
    print_json(report);
  else
    print_text(report);
  return report.fatal ? 1 : 0;
}

}  // namespace cz::import
