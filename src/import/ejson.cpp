#include "import/ejson.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <cmath>
#include <string_view>

namespace cz::import {
namespace {

// {"<key>": <value>} with exactly one member named `key`: the value, else nullptr.
const Json* wrapper(const Json& v, const char* key) {
  if (!v.IsObject() || v.MemberCount() != 1) return nullptr;
  auto it = v.MemberBegin();
  return std::string_view(it->name.GetString(), it->name.GetStringLength()) == key ? &it->value
                                                                                   : nullptr;
}

std::string_view text_of(const Json& v) {
  return {v.GetString(), v.GetStringLength()};
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

std::optional<std::int64_t> whole(double d) {
  // 2^63 is the first double outside int64; NaN fails both comparisons.
  if (!(d >= -9.2233720368547758e18 && d < 9.2233720368547758e18) || std::trunc(d) != d)
    return std::nullopt;
  return static_cast<std::int64_t>(d);
}

std::optional<std::int64_t> plain_integer(const Json& v) {
  if (v.IsInt64()) return v.GetInt64();
  if (v.IsUint64()) return std::nullopt;  // above int64
  if (v.IsDouble()) return whole(v.GetDouble());
  return std::nullopt;
}

bool is_hex_oid(std::string_view s) {
  if (s.size() != 24) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

template <typename Writer>
void write_plain(const Json& v, Writer& w) {
  if (const Json* oid = wrapper(v, "$oid"); oid && oid->IsString()) {
    w.String(oid->GetString(), oid->GetStringLength());
    return;
  }
  if (wrapper(v, "$date")) {
    if (auto t = ejson_time(v)) {
      const std::string iso = format_iso8601(*t);
      w.String(iso.c_str(), static_cast<rapidjson::SizeType>(iso.size()));
      return;
    }
  }
  if (wrapper(v, "$numberInt") || wrapper(v, "$numberLong")) {
    if (auto n = ejson_integer(v)) {
      w.Int64(*n);
      return;
    }
  }
  if (const Json* d = wrapper(v, "$numberDouble"); d && d->IsString()) {
    double x = 0;
    const std::string_view s = text_of(*d);
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (ec == std::errc() && end == s.data() + s.size() && std::isfinite(x)) {
      w.Double(x);
    } else {
      w.Null();  // Infinity / NaN have no JSON form
    }
    return;
  }
  if (v.IsObject()) {
    w.StartObject();
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      w.Key(it->name.GetString(), it->name.GetStringLength());
      write_plain(it->value, w);
    }
    w.EndObject();
  } else if (v.IsArray()) {
    w.StartArray();
    for (const Json& item : v.GetArray()) write_plain(item, w);
    w.EndArray();
  } else {
    v.Accept(w);
  }
}

}  // namespace

const Json* field(const Json& doc, const char* name) {
  if (!doc.IsObject()) return nullptr;
  auto it = doc.FindMember(name);
  if (it == doc.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

std::optional<std::string> ejson_string(const Json& v) {
  if (v.IsString()) return std::string(text_of(v));
  if (const Json* oid = wrapper(v, "$oid"); oid && oid->IsString() && is_hex_oid(text_of(*oid)))
    return std::string(text_of(*oid));
  if (auto n = ejson_integer(v)) return std::to_string(*n);
  return std::nullopt;
}

std::optional<TimeMs> ejson_time(const Json& v) {
  const Json* inner = wrapper(v, "$date");
  const Json& t = inner ? *inner : v;
  if (t.IsString()) return parse_iso8601(text_of(t));
  return ejson_integer(t);
}

std::optional<std::int64_t> ejson_integer(const Json& v) {
  if (v.IsNumber()) return plain_integer(v);
  if (const Json* n = wrapper(v, "$numberInt"); n && n->IsString()) return parse_int(text_of(*n));
  if (const Json* n = wrapper(v, "$numberLong"); n && n->IsString()) return parse_int(text_of(*n));
  if (const Json* n = wrapper(v, "$numberDouble"); n && n->IsString()) {
    double x = 0;
    const std::string_view s = text_of(*n);
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return whole(x);
  }
  return std::nullopt;
}

std::optional<bool> ejson_bool(const Json& v) {
  if (v.IsBool()) return v.GetBool();
  return std::nullopt;
}

std::string to_plain_json(const Json& v) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  write_plain(v, w);
  return {out.GetString(), out.GetSize()};
}

}  // namespace cz::import
