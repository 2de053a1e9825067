#include "messenger/rest/responses.hpp"

#include "messenger/json_writer.hpp"
#include "messenger/render.hpp"
#include "util/time.hpp"

namespace cz::messenger::rest {
namespace {

template <typename Fn>
std::string render(std::size_t reserve, Fn&& fn) {
  std::string out;
  out.reserve(reserve);
  StringSink sink(out);
  JsonWriter w(sink);
  fn(w);
  return out;
}

void write_status(JsonWriter& w, bool status) {
  write_key(w, "status");
  w.Bool(status);
}

void write_optional_string(JsonWriter& w, std::string_view key,
                           const std::optional<std::string>& value) {
  write_key(w, key);
  if (value)
    write_string(w, *value);
  else
    w.Null();
}

void write_optional_time(JsonWriter& w, std::string_view key, const std::optional<TimeMs>& t) {
  write_key(w, key);
  if (t)
    write_string(w, format_iso8601(*t));
  else
    w.Null();
}

constexpr std::size_t kRoomBytes = 1024;
constexpr std::size_t kMessageBytes = 320;

}  // namespace

std::string render_room_list(std::string_view user_id, store::Role role,
                             const std::vector<store::Room>& rooms) {
  return render(64 + rooms.size() * kRoomBytes, [&](JsonWriter& w) {
    w.StartObject();
    write_field(w, "user_id", user_id);
    write_field(w, "role", role_name(role));
    write_key(w, "rooms");
    w.StartArray();
    for (const auto& room : rooms) write_room_for(w, room, role);
    w.EndArray();
    w.EndObject();
  });
}

std::string render_room_only(const store::Room& room, store::Role side) {
  return render(kRoomBytes, [&](JsonWriter& w) {
    w.StartObject();
    write_key(w, "room");
    write_room_for(w, room, side);
    w.EndObject();
  });
}

std::string render_room_status(const store::Room& room, store::Role side,
                               std::string_view message) {
  return render(kRoomBytes, [&](JsonWriter& w) {
    w.StartObject();
    write_status(w, true);
    if (!message.empty()) write_field(w, "message", message);
    write_key(w, "room");
    write_room_for(w, room, side);
    w.EndObject();
  });
}

std::string render_create_room(const store::CreateRoomResult& result, store::Role side) {
  return render(kRoomBytes, [&](JsonWriter& w) {
    w.StartObject();
    write_status(w, result.outcome != store::CreateOutcome::Existed);
    write_field(w, "outcome", create_outcome_name(result.outcome));
    write_field(w, "message", create_outcome_message(result.outcome));
    write_key(w, "room");
    write_room_for(w, result.room, side);
    w.EndObject();
  });
}

std::string render_room_deleted(store::Role side, std::optional<TimeMs> deleted_at) {
  return render(96, [&](JsonWriter& w) {
    w.StartObject();
    write_status(w, true);
    write_field(w, "role", role_name(side));
    write_optional_time(w, "deleted_at", deleted_at);
    w.EndObject();
  });
}

std::string render_message_page(std::string_view room_id, const PageInfo& info,
                                const std::vector<store::Message>& messages) {
  return render(160 + messages.size() * kMessageBytes, [&](JsonWriter& w) {
    w.StartObject();
    write_field(w, "room_id", room_id);
    write_key(w, "filters");
    w.StartObject();
    write_key(w, "message_count");
    w.Uint64(info.limit);
    write_optional_time(w, "from", info.from);
    write_key(w, "created_at");
    w.Int(info.order == store::Order::NewestFirst ? -1 : 1);
    write_optional_string(w, "cursor", info.cursor);
    write_optional_string(w, "next_cursor", info.next_cursor);
    w.EndObject();
    write_key(w, "data");
    w.StartArray();
    for (const auto& m : messages) write_message(w, m);
    w.EndArray();
    w.EndObject();
  });
}

std::string render_message_reply(std::string_view message_json) {
  return render(32 + message_json.size(), [&](JsonWriter& w) {
    w.StartObject();
    write_status(w, true);
    write_key(w, "data");
    w.RawValue(message_json.data(), message_json.size(), rapidjson::kObjectType);
    w.EndObject();
  });
}

std::string render_unread(std::string_view user_id, const std::vector<store::UnreadCount>& counts) {
  std::int64_t total = 0;
  for (const auto& c : counts) total += c.unseen;
  return render(64 + counts.size() * 64, [&](JsonWriter& w) {
    w.StartObject();
    write_field(w, "user_id", user_id);
    write_key(w, "total");
    w.Int64(total);
    write_key(w, "rooms");
    w.StartArray();
    for (const auto& c : counts) {
      w.StartObject();
      write_field(w, "room_id", c.room_id);
      write_key(w, "unseen");
      w.Int64(c.unseen);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

}  // namespace cz::messenger::rest
