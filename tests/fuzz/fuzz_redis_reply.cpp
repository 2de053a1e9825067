// Redis replies (cluster/redis_replies): the bytes a Redis server sends, in chunks, parsed by
// hiredis's reader exactly as the node's connections parse them, and every reply read by the
// code that consumes replies (pub/sub messages, the presence scripts' answers). Properties: no
// reply shape crashes the readers; what they return views the reply and is consistent with it.
#include <fuzzer/FuzzedDataProvider.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cluster/redis_replies.hpp"
#include "fuzz_check.hpp"

namespace {

using namespace cz::cluster;

// hiredis 0.14 (Debian 12) allocates an array reply's element table as soon as it reads the
// count, with no upper bound (1.x has `maxelements`): "*2147483647\r\n" asks for 16 GiB. That is
// the library's behaviour, not this code's, and the fuzzer would report it on every run; such
// counts are left out here (see tests/fuzz/README.md).
bool declares_huge_array(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != '*') continue;
    std::size_t digits = 0;
    for (std::size_t k = i + 1; k < bytes.size() && bytes[k] >= '0' && bytes[k] <= '9'; ++k)
      ++digits;
    if (digits > 5) return true;  // more than 99,999 elements
  }
  return false;
}

void consume(const redisReply* reply, std::size_t depth) {
  (void)replies::error_of(reply);
  const std::string_view text = replies::text(reply);
  if (auto ms = replies::parse_ms(text)) FUZZ_CHECK(*ms >= 0 && !text.empty());
  if (auto event = replies::pubsub_event(reply)) {
    FUZZ_CHECK(reply->type == REDIS_REPLY_ARRAY && reply->elements >= 3);
    if (!event->confirmation) FUZZ_CHECK(reply->elements == 4);
  }
  if (auto beat = replies::heartbeat(reply)) {
    if (!beat->expired) FUZZ_CHECK(beat->lost_user_keys.size() == reply->element[1]->elements);
  }
  if (reply && reply->type == REDIS_REPLY_ARRAY) {
    std::vector<std::string> ids(reply->elements, "user");
    if (auto statuses = replies::statuses(reply, ids, 42)) {
      FUZZ_CHECK(statuses->size() == ids.size());
      for (const auto& s : *statuses) {
        if (s.online) FUZZ_CHECK(s.last_seen == 42);
        if (s.last_seen) FUZZ_CHECK(*s.last_seen >= 0);
      }
    }
    FUZZ_CHECK(!replies::statuses(reply, std::vector<std::string>(reply->elements + 1), 0));
    if (depth < 8)
      for (std::size_t i = 0; i < reply->elements; ++i) consume(reply->element[i], depth + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  std::vector<std::size_t> chunks(input.ConsumeIntegralInRange<std::size_t>(0, 6));
  for (auto& c : chunks) c = input.ConsumeIntegralInRange<std::size_t>(1, 32);
  const std::string bytes = input.ConsumeRemainingBytesAsString();
  if (declares_huge_array(bytes)) return 0;

  redisReader* reader = redisReaderCreate();
  std::size_t fed = 0, chunk = 0;
  bool failed = false;
  while (fed < bytes.size() && !failed) {
    std::size_t n = chunk < chunks.size() ? chunks[chunk++] : bytes.size() - fed;
    n = std::min(n, bytes.size() - fed);
    if (redisReaderFeed(reader, bytes.data() + fed, n) != REDIS_OK) break;
    fed += n;
    for (;;) {
      void* reply = nullptr;
      if (redisReaderGetReply(reader, &reply) != REDIS_OK) {
        failed = true;  // a protocol error: the connection is dropped
        break;
      }
      if (!reply) break;
      consume(static_cast<redisReply*>(reply), 0);
      freeReplyObject(reply);
    }
  }
  redisReaderFree(reader);
  consume(nullptr, 0);  // what a handler gets when the connection goes
  return 0;
}
