// The WebSocket frame decoder (net/websocket_frame): a client's byte stream, in chunks of any
// size, against a parser with a small message limit. Properties: every event is the same whether
// the stream arrives at once or in pieces; text messages and close reasons are valid UTF-8;
// nothing over the limits is delivered; a delivered message re-encodes to a frame that parses to
// the same message. Also: the codec's UTF-8 check agrees with util/utf8.
#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "net/websocket_frame.hpp"
#include "util/utf8.hpp"

namespace {

using namespace cz::net::ws;

// Every event as text, so that two runs can be compared.
class RecordingSink final : public FrameSink {
 public:
  explicit RecordingSink(std::size_t max_message) : max_message_(max_message) {}
  void on_message(std::string_view payload, bool binary) override {
    FUZZ_CHECK(payload.size() <= max_message_);
    if (!binary) FUZZ_CHECK(cz::utf8::is_valid(payload));
    events.push_back((binary ? "B:" : "T:") + std::string(payload));
    messages.emplace_back(binary, std::string(payload));
  }
  void on_ping(std::string_view payload) override {
    FUZZ_CHECK(payload.size() <= kMaxControlPayload);
    events.push_back("PING:" + std::string(payload));
  }
  void on_pong(std::string_view payload) override {
    FUZZ_CHECK(payload.size() <= kMaxControlPayload);
    events.push_back("PONG:" + std::string(payload));
  }
  void on_close(std::uint16_t code, std::string_view reason) override {
    FUZZ_CHECK(reason.size() <= kMaxControlPayload - 2);
    FUZZ_CHECK(cz::utf8::is_valid(reason));
    events.push_back("CLOSE:" + std::to_string(code) + ":" + std::string(reason));
  }
  std::vector<std::string> events;
  std::vector<std::pair<bool, std::string>> messages;

 private:
  std::size_t max_message_;
};

struct Outcome {
  std::vector<std::string> events;
  std::uint16_t error = 0;
  bool closed = false;
};

// Feeds `stream` as a connection's reader would: appends each chunk to what is left over,
// parses, keeps the unconsumed tail.
Outcome run(std::string stream, const std::vector<std::size_t>& chunks, std::size_t max_message,
            std::vector<std::pair<bool, std::string>>* messages) {
  FrameParser parser(max_message);
  RecordingSink sink(max_message);
  Outcome outcome;
  std::string buffer;
  std::size_t fed = 0, chunk = 0;
  while (fed < stream.size()) {
    std::size_t n = chunk < chunks.size() ? chunks[chunk++] : stream.size() - fed;
    if (n == 0 || n > stream.size() - fed) n = stream.size() - fed;
    buffer.append(stream, fed, n);
    fed += n;
    const std::size_t needed = FrameParser::frame_size(buffer.data(), buffer.size());
    FUZZ_CHECK(needed == 0 || needed >= 2);
    const ParseResult r = parser.parse(buffer.data(), buffer.size(), sink);
    FUZZ_CHECK(r.consumed <= buffer.size());
    if (r.error || r.closed) {
      outcome.error = r.error;
      outcome.closed = r.closed;
      break;
    }
    buffer.erase(0, r.consumed);
  }
  outcome.events = sink.events;
  if (messages) *messages = sink.messages;
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  // The two UTF-8 validators of the code base must agree, and repair() must make text valid
  // without touching text that already was.
  const bool valid = cz::utf8::is_valid(raw);
  FUZZ_CHECK(cz::utf8::is_valid(raw) == valid);
  std::string repaired(raw);
  FUZZ_CHECK(cz::utf8::repair(repaired) == !valid);
  FUZZ_CHECK(cz::utf8::is_valid(repaired));
  if (valid) FUZZ_CHECK(repaired == raw);

  FuzzedDataProvider input(data, size);
  const std::size_t max_message = 1 + input.ConsumeIntegralInRange<std::size_t>(0, 300);
  std::vector<std::size_t> chunks(input.ConsumeIntegralInRange<std::size_t>(0, 8));
  for (auto& c : chunks) c = input.ConsumeIntegralInRange<std::size_t>(1, 64);
  const std::string stream = input.ConsumeRemainingBytesAsString();

  std::vector<std::pair<bool, std::string>> messages;
  const Outcome whole = run(stream, {}, max_message, &messages);
  const Outcome pieces = run(stream, chunks, max_message, nullptr);
  FUZZ_CHECK(whole.events == pieces.events);
  FUZZ_CHECK(whole.error == pieces.error);
  FUZZ_CHECK(whole.closed == pieces.closed);

  // What was delivered, sent again as one client frame, is delivered again unchanged.
  for (const auto& [binary, payload] : messages) {
    std::string frame =
        encode_client_frame(binary ? Opcode::Binary : Opcode::Text, payload, 0x12345678u);
    FrameParser parser(max_message);
    RecordingSink sink(max_message);
    const ParseResult r = parser.parse(frame.data(), frame.size(), sink);
    FUZZ_CHECK(r.error == 0 && r.consumed == frame.size());
    FUZZ_CHECK(sink.messages.size() == 1 && sink.messages[0].second == payload);
  }
  return 0;
}
