#include "socketio/json_util.hpp"

#include <rapidjson/writer.h>

namespace cz::socketio {

namespace {
// Lets rapidjson::Writer append straight into a std::string.
struct StringSink {
  using Ch = char;
  std::string& out;
  void Put(char c) { out.push_back(c); }
  void Flush() {}
};
}  // namespace

void deep_copy(const rapidjson::Value& source, rapidjson::Value& target,
               rapidjson::MemoryPoolAllocator<>& allocator) {
  switch (source.GetType()) {
    case rapidjson::kStringType:
      target.SetString(source.GetString(), source.GetStringLength(), allocator);
      return;
    case rapidjson::kArrayType:
      target.SetArray();
      target.Reserve(source.Size(), allocator);
      for (const auto& item : source.GetArray()) {
        rapidjson::Value copy;
        deep_copy(item, copy, allocator);
        target.PushBack(copy, allocator);
      }
      return;
    case rapidjson::kObjectType:
      target.SetObject();
      for (const auto& member : source.GetObject()) {
        rapidjson::Value name(member.name.GetString(), member.name.GetStringLength(), allocator);
        rapidjson::Value copy;
        deep_copy(member.value, copy, allocator);
        target.AddMember(name, copy, allocator);
      }
      return;
    default:
      // null, booleans and numbers own no memory: a shallow copy is a deep one.
      target.CopyFrom(source, allocator);
  }
}

void append_json(std::string& out, const rapidjson::Value& value) {
  StringSink sink{out};
  rapidjson::Writer<StringSink> writer(sink);
  value.Accept(writer);
}

std::string json_args_of(const rapidjson::Value& array) {
  std::string out;
  if (!array.IsArray()) return out;
  bool first = true;
  for (const auto& item : array.GetArray()) {
    if (!first) out.push_back(',');
    first = false;
    append_json(out, item);
  }
  return out;
}

}  // namespace cz::socketio
