#include "store/rules.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <tuple>

#include "util/ids.hpp"

namespace cz::store {
namespace {

// Strict: one UTF-8 JSON value, nothing after it.
bool is_valid_json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
  return !doc.HasParseError();
}

}  // namespace

namespace {

void append_escaped(std::string& out, const std::string& id) {
  for (char c : id) {
    if (c == '%')
      out += "%25";
    else if (c == '.')
      out += "%2E";
    else
      out.push_back(c);
  }
}

}  // namespace

std::string room_id_of(const std::string& buyer, const std::string& seller) {
  std::string id;
  id.reserve(buyer.size() + seller.size() + 1);
  append_escaped(id, buyer);
  id.push_back('.');
  append_escaped(id, seller);
  return id;
}

Error room_not_found(const std::string& room_id) {
  return make_error(kRoomNotFound, fmt::format("room {} not found", room_id));
}

Error message_not_found(const std::string& message_id) {
  return make_error(kMessageNotFound, fmt::format("message {} not found", message_id));
}

std::optional<Error> validate_create_room(const CreateRoom& req) {
  if (req.buyer.empty() || req.seller.empty()) {
    return make_error(kValidationError, "buyer and seller are required");
  }
  if (req.buyer == req.seller) return make_error(kValidationError, "Buyer is the same to seller");
  if (req.creator != req.buyer && req.creator != req.seller) {
    return make_error(kValidationError, "creator must be the buyer or the seller");
  }
  if (!is_valid_json(req.shop_json) || !is_valid_json(req.buyer_info_json)) {
    return make_error(kValidationError, "shop and buyer_info must be JSON");
  }
  return std::nullopt;
}

Result<CreateOutcome> outcome_for_existing(const CreateRoom& req, const Room& existing) {
  if (existing.buyer != req.buyer || existing.seller != req.seller) {
    return make_error(kValidationError,
                      fmt::format("room id {} is taken by other users", existing.id));
  }
  const bool deleted_by_creator =
      req.creator == req.buyer ? existing.deleted_by_buyer : existing.deleted_by_seller;
  return deleted_by_creator ? CreateOutcome::Reenabled : CreateOutcome::Existed;
}

std::optional<TimeMs> cursor_time_of(const std::string& id, std::optional<TimeMs> stored) {
  if (stored) return stored;
  return id_timestamp(id);
}

std::optional<KeyRange> page_key_range(const MessageQuery& query,
                                       std::optional<TimeMs> cursor_time) {
  KeyRange range;
  // `before` is exclusive: (before, "") is below every message of that millisecond.
  if (query.before) range.upper = MessageKey{*query.before, ""};
  if (query.cursor_id) {
    if (!cursor_time) return std::nullopt;
    MessageKey cursor{*cursor_time, *query.cursor_id};
    if (query.order == Order::OldestFirst) {
      range.lower = std::move(cursor);
    } else if (std::tie(cursor.created_at, cursor.id) <
               std::tie(range.upper.created_at, range.upper.id)) {
      range.upper = std::move(cursor);
    }
  }
  return range;
}

std::optional<SyncBounds> sync_bounds(const SyncQuery& query, std::optional<TimeMs> since_time) {
  SyncBounds bounds;
  if (query.since_id) {
    if (!since_time) return std::nullopt;
    bounds.lower = MessageKey{*since_time, *query.since_id};
  }
  if (query.since_time) bounds.time_floor = *query.since_time;
  return bounds;
}

std::int64_t page_limit(std::size_t requested) {
  return static_cast<std::int64_t>(std::min(requested, kMaxPageSize));
}

}  // namespace cz::store
