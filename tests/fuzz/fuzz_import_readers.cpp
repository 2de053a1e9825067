// The import's readers (import/: format detection, the JSON lines, JSON array/stream and BSON
// readers, Extended JSON and the document mapping): an export file of any content, read in every
// format, each document parsed as the runner parses it and mapped as a room and as a message.
// Properties: readers end, never crash, hand out documents in file order with positions that
// grow; a mapped document obeys the rules the store relies on (ids, text without NUL, valid
// UTF-8); the plain JSON kept for shop/buyer_info is JSON.
#include <rapidjson/document.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "fuzz_check.hpp"
#include "import/document_reader.hpp"
#include "import/ejson.hpp"
#include "import/format.hpp"
#include "import/mapping.hpp"
#include "util/ids.hpp"
#include "util/utf8.hpp"

namespace {

using namespace cz;
using namespace cz::import;

// The readers read files: the input goes to one in memory-backed /dev/shm when there is one,
// removed when the fuzzer exits.
struct ScratchFile {
  ScratchFile() {
    const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    path = std::string(dir) + "/cz-fuzz-import-" + std::to_string(getpid());
  }
  ~ScratchFile() { std::remove(path.c_str()); }
  std::string path;
};

const std::string& scratch_path() {
  static const ScratchFile file;
  return file.path;
}

bool is_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  return !doc.HasParseError();
}

void check_document(const std::string& json) {
  // As runner.cpp parses a document.
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseFullPrecisionFlag>(
      json.data(), json.size());
  if (doc.HasParseError()) return;
  FUZZ_CHECK(is_json(to_plain_json(doc)));
  if (auto room = map_room(doc)) {
    FUZZ_CHECK(!room->buyer.empty() && !room->seller.empty() && room->buyer != room->seller);
    FUZZ_CHECK(room->id == room->buyer + "." + room->seller);
    FUZZ_CHECK(is_json(room->shop_json) && is_json(room->buyer_info_json));
    FUZZ_CHECK(room->buyer_unseen_messages >= 0 && room->seller_unseen_messages >= 0);
    FUZZ_CHECK(utf8::is_valid(room->id));
  }
  if (auto message = map_message(doc)) {
    FUZZ_CHECK(is_message_id(message->id));
    FUZZ_CHECK(message->content.find('\0') == std::string::npos);
    FUZZ_CHECK(utf8::is_valid(message->content));
    FUZZ_CHECK(utf8::is_valid(message->room_id) && utf8::is_valid(message->from) &&
               utf8::is_valid(message->to));
  }
}

void read_all(const std::string& path, Format format, std::size_t size) {
  auto reader = open_reader(path, format);
  RawDocument raw;
  std::uint64_t index = 0, last_offset = 0;
  // Every document takes at least one byte, and a reader reports at most one extra piece.
  std::size_t budget = size + 2;
  while (reader->next(raw)) {
    FUZZ_CHECK(budget-- > 0);
    FUZZ_CHECK(raw.position.index == ++index);
    FUZZ_CHECK(index == 1 || raw.position.offset > last_offset);
    FUZZ_CHECK(raw.position.offset <= size);
    last_offset = raw.position.offset;
    FUZZ_CHECK(raw.error.empty() || raw.json.empty());
    if (format == Format::JsonLines) FUZZ_CHECK(raw.json.find('\n') == std::string::npos);
    if (raw.error.empty()) check_document(raw.json);
  }
  FUZZ_CHECK(reader->bytes_read() <= size + 3);
  (void)describe(format, raw.position);
  (void)count_documents(path, format);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)detect_format(bytes);
  std::FILE* file = std::fopen(scratch_path().c_str(), "wb");
  if (!file) return 0;
  std::fwrite(data, 1, size, file);
  std::fclose(file);
  for (Format format : {Format::JsonLines, Format::JsonArray, Format::JsonStream, Format::Bson})
    read_all(scratch_path(), format, size);
  return 0;
}
