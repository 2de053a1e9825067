#pragma once
// The descriptive objects a room carries, `shop` and `buyer_info`. The original fetched them
// from the marketplace's services; without those, the creating client sends them and they are
// checked here before they are stored (and later shown to the other side). Pure functions.
#include <rapidjson/document.h>

#include <cstddef>
#include <string>

#include "util/result.hpp"

namespace cz::messenger {

struct DetailLimits {
  std::size_t max_name_bytes = 256;     // shop.name, buyer_info.name
  std::size_t max_field_bytes = 2048;   // other buyer_info strings (an avatar URL)
  std::size_t max_object_bytes = 4096;  // the serialized shop object
  std::size_t max_depth = 4;            // nesting inside the shop object
};

// `shop`: absent or null -> "null"; otherwise an object with a non-empty string `name`, any
// further fields kept as sent, within max_object_bytes and max_depth. Returns the JSON to store.
Result<std::string> shop_json(const rapidjson::Value* shop, const DetailLimits& limits);

// `buyer_info`: absent or null -> "null"; otherwise an object whose known fields name, avatar,
// phone_number and email are strings (or null); other fields are dropped, as the original's
// schema dropped them. Returns the JSON to store.
Result<std::string> buyer_info_json(const rapidjson::Value* info, const DetailLimits& limits);

}  // namespace cz::messenger
