#include "cluster/broadcast_message.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>

#include "cluster/msgpack.hpp"

namespace cz::cluster {

namespace {

constexpr int kMaxDepth = 64;
constexpr int kEventType = 2;        // socket.io-parser EVENT
constexpr int kBinaryEventType = 5;  // BINARY_EVENT, accepted as well

// {"_placeholder":true,"num":N} -> N
std::optional<std::size_t> placeholder_index(const rapidjson::Value& v) {
  if (!v.IsObject() || v.MemberCount() != 2) return std::nullopt;
  auto ph = v.FindMember("_placeholder");
  auto num = v.FindMember("num");
  if (ph == v.MemberEnd() || num == v.MemberEnd()) return std::nullopt;
  if (!ph->value.IsTrue() || !num->value.IsUint()) return std::nullopt;
  return num->value.GetUint();
}

bool write_value(const rapidjson::Value& v, const std::vector<SharedBuffer>& attachments,
                 msgpack::Writer& w, int depth) {
  if (depth > kMaxDepth) return false;
  switch (v.GetType()) {
    case rapidjson::kNullType:
      w.nil();
      return true;
    case rapidjson::kFalseType:
      w.boolean(false);
      return true;
    case rapidjson::kTrueType:
      w.boolean(true);
      return true;
    case rapidjson::kStringType:
      w.str({v.GetString(), v.GetStringLength()});
      return true;
    case rapidjson::kNumberType:
      if (v.IsUint64()) {
        w.unsigned_integer(v.GetUint64());
      } else if (v.IsInt64()) {
        w.integer(v.GetInt64());
      } else {
        w.float64(v.GetDouble());
      }
      return true;
    case rapidjson::kArrayType:
      w.array(v.Size());
      for (const auto& e : v.GetArray()) {
        if (!write_value(e, attachments, w, depth + 1)) return false;
      }
      return true;
    case rapidjson::kObjectType: {
      if (auto index = placeholder_index(v); index && *index < attachments.size()) {
        w.bin(*attachments[*index]);
        return true;
      }
      w.map(v.MemberCount());
      for (const auto& m : v.GetObject()) {
        w.str({m.name.GetString(), m.name.GetStringLength()});
        if (!write_value(m.value, attachments, w, depth + 1)) return false;
      }
      return true;
    }
  }
  return false;
}

void write_strings(msgpack::Writer& w, const std::vector<std::string>& items) {
  w.array(static_cast<std::uint32_t>(items.size()));
  for (const auto& s : items) w.str(s);
}

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// One msgpack value to JSON; bin becomes a placeholder and an attachment.
bool to_json(msgpack::Reader& r, JsonWriter& w, std::vector<SharedBuffer>& attachments, int depth) {
  if (depth > kMaxDepth) return false;
  msgpack::Item item;
  if (!r.next(item)) return false;
  switch (item.kind) {
    case msgpack::Kind::Nil:
      return w.Null();
    case msgpack::Kind::Bool:
      return w.Bool(item.boolean);
    case msgpack::Kind::Int:
      return w.Int64(item.int_value);
    case msgpack::Kind::UInt:
      return w.Uint64(item.uint_value);
    case msgpack::Kind::Float:
      // JSON has no NaN/Infinity; JSON.stringify writes null for them.
      return std::isfinite(item.float_value) ? w.Double(item.float_value) : w.Null();
    case msgpack::Kind::Str:
      return w.String(item.bytes.data(), static_cast<rapidjson::SizeType>(item.bytes.size()), true);
    case msgpack::Kind::Bin:
      w.StartObject();
      w.Key("_placeholder");
      w.Bool(true);
      w.Key("num");
      w.Uint64(attachments.size());
      attachments.push_back(make_buffer(std::string(item.bytes)));
      return w.EndObject();
    case msgpack::Kind::Ext:
      return w.Null();  // notepack's `undefined`; JSON has none
    case msgpack::Kind::Array:
      w.StartArray();
      for (std::uint32_t i = 0; i < item.count; ++i) {
        if (!to_json(r, w, attachments, depth + 1)) return false;
      }
      return w.EndArray();
    case msgpack::Kind::Map:
      w.StartObject();
      for (std::uint32_t i = 0; i < item.count; ++i) {
        msgpack::Item key;
        if (!r.next(key) || key.kind != msgpack::Kind::Str) return false;
        w.Key(key.bytes.data(), static_cast<rapidjson::SizeType>(key.bytes.size()), true);
        if (!to_json(r, w, attachments, depth + 1)) return false;
      }
      return w.EndObject();
  }
  return false;
}

bool read_string(msgpack::Reader& r, std::string& out) {
  msgpack::Item item;
  if (!r.next(item) || item.kind != msgpack::Kind::Str) return false;
  out.assign(item.bytes);
  return true;
}

bool read_int(msgpack::Reader& r, std::int64_t& out) {
  msgpack::Item item;
  if (!r.next(item)) return false;
  if (item.kind == msgpack::Kind::UInt)
    return out = static_cast<std::int64_t>(item.uint_value), true;
  if (item.kind == msgpack::Kind::Int) return out = item.int_value, true;
  return false;
}

// An array of strings (rooms/except); nil counts as empty.
bool read_strings(msgpack::Reader& r, std::vector<std::string>& out) {
  msgpack::Item item;
  if (!r.next(item)) return false;
  if (item.kind == msgpack::Kind::Nil) return true;
  if (item.kind != msgpack::Kind::Array) return false;
  // The count is the sender's claim (up to 2^32 - 1): reserve no more than a message holds.
  out.reserve(std::min<std::uint32_t>(item.count, 64));
  for (std::uint32_t i = 0; i < item.count; ++i) {
    msgpack::Item s;
    if (!r.next(s)) return false;
    if (s.kind == msgpack::Kind::Str) {
      out.emplace_back(s.bytes);
    } else if (s.kind == msgpack::Kind::UInt) {  // a room may be a number in Node
      out.push_back(std::to_string(s.uint_value));
    } else {
      return false;
    }
  }
  return true;
}

// packet = {type, data: [event, ...args], nsp}
bool read_packet(msgpack::Reader& r, DecodedBroadcast& out) {
  msgpack::Item map;
  if (!r.next(map) || map.kind != msgpack::Kind::Map) return false;
  bool have_type = false, have_data = false;
  // The adapter defaults a missing nsp to "/". (assign, not operator=: GCC 12 at -O3 reports a
  // false -Wstringop-overflow for the literal.)
  out.nsp.assign(1, '/');
  for (std::uint32_t i = 0; i < map.count; ++i) {
    std::string key;
    if (!read_string(r, key)) return false;
    if (key == "type") {
      std::int64_t type;
      if (!read_int(r, type) || (type != kEventType && type != kBinaryEventType)) return false;
      have_type = true;
    } else if (key == "nsp") {
      if (!read_string(r, out.nsp)) return false;
    } else if (key == "data") {
      msgpack::Item data;
      if (!r.next(data) || data.kind != msgpack::Kind::Array || data.count == 0) return false;
      if (!read_string(r, out.event)) return false;
      // A second "data" replaces the first (the last key wins, as in JavaScript), bins included.
      out.payload.attachments.clear();
      rapidjson::StringBuffer sb;
      JsonWriter w(sb);
      w.StartArray();
      for (std::uint32_t a = 1; a < data.count; ++a) {
        if (!to_json(r, w, out.payload.attachments, 1)) return false;
      }
      w.EndArray();
      std::string_view json(sb.GetString(), sb.GetSize());
      out.payload.json_args.assign(json.substr(1, json.size() - 2));  // drop the brackets
      have_data = true;
    } else if (!r.skip()) {
      return false;
    }
  }
  return have_type && have_data;
}

// opts = {rooms, except, flags}
bool read_options(msgpack::Reader& r, DecodedBroadcast& out) {
  msgpack::Item map;
  if (!r.next(map) || map.kind != msgpack::Kind::Map) return false;
  for (std::uint32_t i = 0; i < map.count; ++i) {
    std::string key;
    if (!read_string(r, key)) return false;
    if (key == "rooms") {
      if (!read_strings(r, out.target.rooms)) return false;
    } else if (key == "except") {
      if (!read_strings(r, out.target.except_rooms)) return false;
    } else if (key == "flags") {
      msgpack::Item flags;
      if (!r.next(flags)) return false;
      if (flags.kind != msgpack::Kind::Map) continue;  // nil / absent
      for (std::uint32_t f = 0; f < flags.count; ++f) {
        std::string flag;
        if (!read_string(r, flag)) return false;
        msgpack::Item value;
        if (flag == "local") {
          if (!r.next(value)) return false;
          out.local_only = value.kind == msgpack::Kind::Bool && value.boolean;
        } else if (!r.skip()) {
          return false;
        }
      }
    } else if (!r.skip()) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string namespace_channel(std::string_view nsp) {
  std::string channel;
  channel.reserve(kChannelPrefix.size() + nsp.size() + 2);
  channel.append(kChannelPrefix).append("#").append(nsp).append("#");
  return channel;
}

std::string broadcast_channel(std::string_view nsp, const socketio::BroadcastTarget& target) {
  std::string channel = namespace_channel(nsp);
  if (target.rooms.size() == 1) channel.append(target.rooms.front()).append("#");
  return channel;
}

bool json_args_to_msgpack(std::string_view json_args, std::string_view event,
                          const std::vector<SharedBuffer>& attachments, std::string& out) {
  std::string text;
  text.reserve(json_args.size() + 2);
  text.append("[").append(json_args).append("]");
  rapidjson::Document doc;
  // Full precision: RapidJSON's default number parsing may miss the nearest double by a few
  // bits, and then the other nodes' clients would get other numbers than this node's.
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
  if (doc.HasParseError() || !doc.IsArray()) return false;
  msgpack::Writer w(out);
  w.array(doc.Size() + 1);
  w.str(event);
  for (const auto& arg : doc.GetArray()) {
    if (!write_value(arg, attachments, w, 1)) return false;
  }
  return true;
}

std::optional<std::string> encode_broadcast(std::string_view uid,
                                            const socketio::BroadcastPacket& packet,
                                            const socketio::BroadcastTarget& target) {
  std::string out;
  out.reserve(64 + packet.payload.json_args.size());
  msgpack::Writer w(out);
  w.array(3);
  w.str(uid);
  w.map(3);
  w.str("type");
  w.unsigned_integer(kEventType);
  w.str("data");
  if (!json_args_to_msgpack(packet.payload.json_args, packet.event, packet.payload.attachments,
                            out)) {
    return std::nullopt;
  }
  w.str("nsp");
  w.str(packet.nsp);
  w.map(3);
  w.str("rooms");
  write_strings(w, target.rooms);
  w.str("except");
  write_strings(w, target.except_rooms);
  w.str("flags");
  w.map(0);
  return out;
}

std::optional<DecodedBroadcast> decode_broadcast(std::string_view message) {
  msgpack::Reader r(message);
  msgpack::Item top;
  if (!r.next(top) || top.kind != msgpack::Kind::Array || top.count < 3) return std::nullopt;
  DecodedBroadcast out;
  if (!read_string(r, out.uid)) return std::nullopt;
  if (!read_packet(r, out)) return std::nullopt;
  if (!read_options(r, out)) return std::nullopt;
  return out;
}

}  // namespace cz::cluster
