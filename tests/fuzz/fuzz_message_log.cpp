// The SQLite store's message log codec (store/sqlite/message_log): the bytes of a log segment as
// a crash, a full disk or a damaged file may leave them. Properties: decoding stops inside its
// input at a record boundary; re-encoding what it read gives back exactly those bytes (so replay
// stores precisely what was logged, nothing from the damaged tail); a decoded message's type is
// one of the three.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "store/sqlite/message_log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cz::store;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const sqlite::DecodedRecords decoded = sqlite::decode_records(bytes);
  FUZZ_CHECK(decoded.valid_bytes <= bytes.size());
  FUZZ_CHECK(decoded.messages.empty() == (decoded.valid_bytes == 0));
  std::string again;
  for (const Message& m : decoded.messages) {
    FUZZ_CHECK(m.type == MessageType::Text || m.type == MessageType::Image ||
               m.type == MessageType::Emoji);
    FUZZ_CHECK(m.updated_at == m.created_at);
    sqlite::append_record(again, m);
  }
  FUZZ_CHECK(again == bytes.substr(0, decoded.valid_bytes));
  return 0;
}
