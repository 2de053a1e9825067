#include "import/runner.hpp"

#include <fmt/format.h>
#include <rapidjson/error/en.h>

#include <chrono>
#include <deque>
#include <fstream>
#include <future>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "import/document_reader.hpp"
#include "import/mapping.hpp"
#include "store/errors.hpp"

namespace cz::import {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Calls an asynchronous store operation and waits for its result (the import is a batch job:
// it has nothing else to do meanwhile).
template <typename T, typename Call>
std::future<Result<T>> submit(Call call) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  call([promise](Result<T> r) { promise->set_value(std::move(r)); });
  return future;
}

Result<Format> format_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return store::make_error(store::kValidationError, "cannot open the file");
  std::string head(64 * 1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return detect_format(head);
}

struct Members {
  std::string buyer, seller;
};

// One kind of document (rooms or messages) being read from its file and stored.
class FileImport {
 public:
  FileImport(store::Store& store, const ImportOptions& options, ImportReport& report, bool rooms,
             std::unordered_map<std::string, std::optional<Members>>& members)
      : store_(store),
        options_(options),
        report_(report),
        rooms_(rooms),
        file_(rooms ? report.rooms : report.messages),
        members_(members) {}

  void run(const std::string& path) {
    const auto start = Clock::now();
    file_.path = path;
    auto format = format_of(path);
    if (!format) {
      report_.fatal = fmt::format("{}: {}", path, format.error().message);
      return;
    }
    file_.format = *format;
    if (*format != Format::Empty) read_all(path, *format);
    file_.seconds = seconds_since(start);
    if (options_.progress) options_.progress(progress_line());
  }

 private:
  struct Pending {
    store::ImportBatch batch;
    std::vector<Position> positions;  // of each room or message in `batch`, same order
  };
  struct InFlight {
    Pending pending;
    std::future<Result<store::ImportBatchResult>> result;
  };

  void read_all(const std::string& path, Format format) {
    format_ = format;
    std::unique_ptr<DocumentReader> reader;
    try {
      reader = open_reader(path, format);
    } catch (const std::exception& e) {
      report_.fatal = e.what();
      return;
    }
    total_ = count_documents(path, format);
    started_ = last_progress_ = Clock::now();
    RawDocument raw;
    while (!report_.fatal && reader->next(raw)) {
      ++file_.read;
      take(raw);
      if (pending_size() >= options_.batch) flush();
      if (options_.progress && Clock::now() - last_progress_ >= std::chrono::seconds(1)) {
        last_progress_ = Clock::now();
        options_.progress(progress_line());
      }
    }
    flush();
    while (!in_flight_.empty()) settle_oldest();
    if (reader->fatal() && !report_.fatal)
      report_.fatal = fmt::format("{}: {}", path, *reader->fatal());
  }

  std::size_t pending_size() const { return pending_.positions.size(); }

  // Parses and maps one document into the pending batch, or rejects it.
  void take(const RawDocument& raw) {
    if (!raw.error.empty()) return reject(raw.position, raw.error);
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseFullPrecisionFlag>(
        raw.json.data(), raw.json.size());
    if (doc.HasParseError()) {
      return reject(raw.position, fmt::format("not JSON: {} (at character {})",
                                              rapidjson::GetParseError_En(doc.GetParseError()),
                                              doc.GetErrorOffset()));
    }
    if (rooms_) {
      auto room = map_room(doc);
      if (!room) return reject(raw.position, room.error().message);
      members_[room->id] = Members{room->buyer, room->seller};
      if (seen_before(room->id)) return;
      pending_.batch.rooms.push_back(std::move(*room));
    } else {
      auto message = map_message(doc);
      if (!message) return reject(raw.position, message.error().message);
      if (auto why = not_storable(*message)) return reject(raw.position, *why);
      if (seen_before(message->id)) return;
      pending_.batch.messages.push_back(std::move(*message));
    }
    pending_.positions.push_back(raw.position);
  }

  // A dry run stores nothing, so the store cannot tell it that an id came twice in the file:
  // it remembers them itself (a real run leaves that to the store's ON CONFLICT).
  bool seen_before(const std::string& id) {
    if (!options_.dry_run) return false;
    if (seen_.insert(id).second) return false;
    ++file_.duplicates;
    return true;
  }

  // Why a message cannot go into its room, if it cannot.
  std::optional<std::string> not_storable(const store::Message& m) {
    auto it = members_.find(m.room_id);
    if (it == members_.end()) it = members_.emplace(m.room_id, stored_members(m.room_id)).first;
    if (!it->second)
      return fmt::format("room {} is neither in the rooms file nor stored", m.room_id);
    const Members& room = *it->second;
    if ((m.from == room.buyer && m.to == room.seller) ||
        (m.from == room.seller && m.to == room.buyer))
      return std::nullopt;
    return fmt::format("from/to ({} -> {}) are not the two members of room {}", m.from, m.to,
                       m.room_id);
  }

  std::optional<Members> stored_members(const std::string& room_id) {
    auto room = submit<std::optional<store::Room>>([&](auto done) {
                  store_.get_room(room_id, std::move(done));
                }).get();
    if (!room) {
      report_.fatal = fmt::format("the store cannot be read: {}", room.error().message);
      return std::nullopt;
    }
    if (!room.value()) return std::nullopt;
    return Members{room.value()->buyer, room.value()->seller};
  }

  void flush() {
    if (pending_.positions.empty()) return;
    // Two batches in flight: this thread parses the next while the store writes one.
    while (in_flight_.size() >= 2) settle_oldest();
    pending_.batch.dry_run = options_.dry_run;
    InFlight f{std::move(pending_), {}};
    pending_ = Pending{};
    f.result = send(f.pending.batch);
    in_flight_.push_back(std::move(f));
  }

  std::future<Result<store::ImportBatchResult>> send(store::ImportBatch batch) {
    return submit<store::ImportBatchResult>(
        [&](auto done) { store_.import_batch(std::move(batch), std::move(done)); });
  }

  void settle_oldest() {
    InFlight f = std::move(in_flight_.front());
    in_flight_.pop_front();
    settle(f.pending, f.result.get());
  }

  void settle(Pending& pending, Result<store::ImportBatchResult> result) {
    if (result) {
      for (store::ImportOutcome o : rooms_ ? result->rooms : result->messages) count(o);
      return;
    }
    if (result.error().code == store::kStoreUnavailable) {
      report_.fatal = fmt::format("the store is unavailable: {}", result.error().message);
      return;
    }
    if (pending.positions.size() == 1) {
      if (rooms_) members_.erase(pending.batch.rooms.front().id);
      return reject(pending.positions.front(), "refused by the store: " + result.error().message);
    }
    // The batch was rolled back as a whole: store its documents one by one to find the bad one.
    for (std::size_t i = 0; i < pending.positions.size() && !report_.fatal; ++i) {
      Pending one;
      one.batch.dry_run = options_.dry_run;
      if (rooms_)
        one.batch.rooms.push_back(std::move(pending.batch.rooms[i]));
      else
        one.batch.messages.push_back(std::move(pending.batch.messages[i]));
      one.positions.push_back(pending.positions[i]);
      auto r = send(std::move(one.batch)).get();
      settle(one, std::move(r));
    }
  }

  void count(store::ImportOutcome outcome) {
    switch (outcome) {
      case store::ImportOutcome::Imported:
        ++file_.imported;
        break;
      case store::ImportOutcome::Duplicate:
        ++file_.duplicates;
        break;
      case store::ImportOutcome::ImportedWithoutClientId:
        ++file_.imported;
        ++file_.without_client_id;
        break;
    }
  }

  void reject(const Position& position, std::string reason) {
    ++file_.rejected;
    if (report_.rejections.size() < kMaxListedRejections)
      report_.rejections.push_back(
          Rejection{file_.path, describe(format_, position), std::move(reason)});
  }

  std::string progress_line() const {
    const double elapsed = seconds_since(started_);
    const double rate = elapsed > 0 ? static_cast<double>(file_.read) / elapsed : 0;
    const std::string of_total = total_ ? fmt::format("/{}", *total_) : std::string();
    return fmt::format("{}: {}{} documents, {:.0f} documents/s", rooms_ ? "rooms" : "messages",
                       file_.read, of_total, rate);
  }

  store::Store& store_;
  const ImportOptions& options_;
  ImportReport& report_;
  const bool rooms_;
  FileReport& file_;
  std::unordered_map<std::string, std::optional<Members>>& members_;
  Format format_ = Format::Empty;
  std::optional<std::uint64_t> total_;
  Clock::time_point started_ = Clock::now(), last_progress_ = Clock::now();
  Pending pending_;
  std::deque<InFlight> in_flight_;
  std::unordered_set<std::string> seen_;  // dry runs only
};

}  // namespace

ImportReport run_import(store::Store& store, const ImportOptions& options) {
  const auto start = Clock::now();
  ImportReport report;
  report.dry_run = options.dry_run;
  std::unordered_map<std::string, std::optional<Members>> members;
  if (!options.rooms_path.empty())
    FileImport(store, options, report, true, members).run(options.rooms_path);
  if (!options.messages_path.empty() && !report.fatal)
    FileImport(store, options, report, false, members).run(options.messages_path);
  report.seconds = seconds_since(start);
  return report;
}

}  // namespace cz::import
