#pragma once
// Small RapidJSON helpers for the Socket.IO layer.
#include <rapidjson/document.h>

#include <string>

namespace cz::socketio {

// Deep copy of `source` into `target`, copying every string into `allocator` (RapidJSON's
// CopyFrom keeps pointers to strings parsed in situ, which would dangle once the packet goes).
void deep_copy(const rapidjson::Value& source, rapidjson::Value& target,
               rapidjson::MemoryPoolAllocator<>& allocator);

// Appends `value` serialized as compact JSON.
void append_json(std::string& out, const rapidjson::Value& value);

// The elements of a JSON array serialized comma-separated without the brackets: the form of
// Payload::json_args.
std::string json_args_of(const rapidjson::Value& array);

}  // namespace cz::socketio
