#pragma once
// The import itself: reads the rooms file, then the messages file, maps each document
// (mapping.hpp) and stores them in batches through Store::import_batch, one transaction each.
// Bad documents are counted and listed with their position; the import goes on. Rooms go first
// so that every message's room exists; a message whose room is in neither the file nor the
// store, or whose sender and receiver are not that room's members, is rejected.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "import/format.hpp"
#include "store/store.hpp"

namespace cz::import {

struct ImportOptions {
  std::string rooms_path;     // empty: no rooms file
  std::string messages_path;  // empty: no messages file
  bool dry_run = false;       // read, map and check everything, store nothing
  // Documents per transaction. Large: an import's messages are spread over all rooms, so each
  // transaction dirties index pages everywhere, and fewer, larger ones write each page fewer
  // times (SQLite, 1M messages in 10k rooms: 20,000 -> 68k/s, 50,000 -> 75-80k/s;
  // bench/RESULTS.md).
  std::size_t batch = 50000;
  // Called about once a second during a file, and once at its end, with a progress line.
  std::function<void(const std::string&)> progress;
};

struct Rejection {
  std::string file;
  std::string position;  // "line 12", "document 5 (byte 1234)"
  std::string reason;
};

struct FileReport {
  std::string path;
  std::optional<Format> format;
  std::uint64_t read = 0;               // documents (or document-sized pieces) read
  std::uint64_t imported = 0;           // stored now (or, in a dry run, would be)
  std::uint64_t duplicates = 0;         // already stored (rerun, or the same id twice)
  std::uint64_t without_client_id = 0;  // stored without a client_message_id taken before
  std::uint64_t rejected = 0;
  double seconds = 0;
};

struct ImportReport {
  bool dry_run = false;
  FileReport rooms, messages;
  std::vector<Rejection> rejections;  // the first kMaxListedRejections
  std::optional<std::string> fatal;   // why the import stopped before the end
  double seconds = 0;
};

inline constexpr std::size_t kMaxListedRejections = 1000;

ImportReport run_import(store::Store& store, const ImportOptions& options);

}  // namespace cz::import
