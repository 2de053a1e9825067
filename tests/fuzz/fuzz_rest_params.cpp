// The REST API's request parsing (util/query, messenger/rest/body, params, room_details, bearer): a
// request target with its query string, a raw path id, a Content-Type, a body and an
// Authorization header value, through every route's parameter parser. Properties: what is
// accepted obeys the rules the handlers rely on (ids non-empty, bounded, UTF-8 without control
// characters; limits within their bounds; the caller acts as itself; stored room details are
// JSON within their size); percent-decoding inverts percent-encoding.
#include <fuzzer/FuzzedDataProvider.h>
#include <rapidjson/document.h>

#include <string>

#include "fuzz_check.hpp"
#include "messenger/rest/bearer.hpp"
#include "messenger/rest/body.hpp"
#include "messenger/rest/params.hpp"
#include "util/ids.hpp"
#include "util/query.hpp"
#include "util/utf8.hpp"

namespace {

using namespace cz;
using namespace cz::messenger;
using namespace cz::messenger::rest;

bool has_control_characters(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F) return true;
  return false;
}

void check_id(std::string_view id, std::size_t max_bytes) {
  FUZZ_CHECK(!id.empty());
  FUZZ_CHECK(id.size() <= max_bytes);
  FUZZ_CHECK(!has_control_characters(id));
  FUZZ_CHECK(utf8::is_valid(id));
}

std::string percent_encode_all(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back('%');
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

bool is_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  return !doc.HasParseError();
}

void check_query(const query::Params& query, const Acting& acting, const Limits& limits) {
  if (auto identity = identity_from_query(query, limits)) {
    if (identity->user_id) check_id(*identity->user_id, limits.max_id_bytes);
  }
  constexpr std::size_t kMaxName = 32;
  if (auto rooms = parse_list_rooms(query, acting, kMaxName)) {
    FUZZ_CHECK(rooms->user_id == acting.user_id);
    if (rooms->name) {
      FUZZ_CHECK(!rooms->name->empty() && rooms->name->size() <= kMaxName);
      FUZZ_CHECK(!has_control_characters(*rooms->name) && utf8::is_valid(*rooms->name));
    }
  }
  PageLimits pages;
  pages.max_limit = 20;
  if (auto page = parse_list_messages(query, limits, pages)) {
    check_id(page->query.room_id, 2 * limits.max_id_bytes + 1);
    FUZZ_CHECK(page->query.limit >= 1 && page->query.limit <= pages.max_limit);
    if (page->query.cursor_id) FUZZ_CHECK(is_message_id(*page->query.cursor_id));
  }
}

void check_body(const rapidjson::Value& body, const Acting& acting, const Limits& limits) {
  FUZZ_CHECK(body.IsObject());
  if (auto identity = identity_from_body(body, limits)) {
    if (identity->user_id) check_id(*identity->user_id, limits.max_id_bytes);
  }
  DetailLimits details;
  details.max_object_bytes = 128;
  if (auto room = parse_create_room_body(body, acting, limits, details)) {
    FUZZ_CHECK(room->buyer == acting.user_id || room->seller == acting.user_id);
    FUZZ_CHECK(room->creator == acting.user_id);
    FUZZ_CHECK(room->buyer != room->seller);
    FUZZ_CHECK(is_json(room->shop_json) && is_json(room->buyer_info_json));
    FUZZ_CHECK(room->shop_json.size() <= details.max_object_bytes);
  }
  if (auto message = parse_post_message(body, acting, limits)) {
    FUZZ_CHECK(message->from == acting.user_id);
    FUZZ_CHECK(!check_content(message->content, limits));
  }
  if (auto content = parse_edit_message(body, limits)) {
    FUZZ_CHECK(!check_content(*content, limits));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider input(data, size);
  Limits limits;
  limits.max_content_bytes = 64;
  limits.max_id_bytes = 16;
  const Caller caller{"alice", input.ConsumeBool() ? std::optional(store::Role::Buyer)
                                                   : std::optional<store::Role>()};
  const std::string target = input.ConsumeRandomLengthString(512);
  const std::string path_id = input.ConsumeRandomLengthString(64);
  const std::string authorization = input.ConsumeRandomLengthString(64);
  const bool has_content_type = input.ConsumeBool();
  const std::string content_type = input.ConsumeRandomLengthString(48);
  const std::string body = input.ConsumeRemainingBytesAsString();

  for (const bool plus : {false, true}) {
    FUZZ_CHECK(query::percent_decode(percent_encode_all(target), plus) == target);
    if (auto decoded = query::percent_decode(target, plus))
      FUZZ_CHECK(decoded->size() <= target.size());
  }

  if (auto token = bearer_token(authorization)) {
    FUZZ_CHECK(!token->empty() && token->front() != ' ' && token->back() != ' ');
  }
  if (auto id = room_id_param(path_id, limits)) {
    check_id(*id, 2 * limits.max_id_bytes + 1);
    FUZZ_CHECK(id->find('.') != std::string::npos);
  }
  if (auto id = message_id_param(path_id, limits)) check_id(*id, limits.max_id_bytes);

  Result<Acting> acting = Acting{caller.user_id, caller.role};
  if (auto query = query::Params::parse_strict(target)) {
    if (auto identity = identity_from_query(*query, limits)) {
      acting = resolve_identity(caller, *identity);
      if (acting) FUZZ_CHECK(acting->user_id == caller.user_id);
    }
    if (acting) check_query(*query, *acting, limits);
  }

  auto parsed = parse_json_body(
      body, has_content_type ? std::optional<std::string_view>(content_type) : std::nullopt, 4096);
  if (parsed && acting) check_body(*parsed, *acting, limits);
  return 0;
}
