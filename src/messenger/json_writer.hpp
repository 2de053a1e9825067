#pragma once
// rapidjson::Writer straight into a std::string: the serialized text is the string that goes
// into a socketio::Payload, with no intermediate buffer and no DOM.
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

namespace cz::messenger {

// The output stream concept rapidjson::Writer needs (Put/Flush), appending to a std::string.
class StringSink {
 public:
  using Ch = char;
  explicit StringSink(std::string& out) : out_(&out) {}
  void Put(char c) { out_->push_back(c); }
  void Flush() {}

 private:
  std::string* out_;
};

using JsonWriter = rapidjson::Writer<StringSink>;

// Helpers that keep call sites short.
inline void write_key(JsonWriter& w, std::string_view key) {
  w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
}
inline void write_string(JsonWriter& w, std::string_view value) {
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}
inline void write_field(JsonWriter& w, std::string_view key, std::string_view value) {
  write_key(w, key);
  write_string(w, value);
}

}  // namespace cz::messenger
