#include "messenger/render.hpp"

#include "util/time.hpp"

namespace cz::messenger {
namespace {

void write_time(JsonWriter& w, std::string_view key, store::TimeMs ms) {
  write_field(w, key, format_iso8601(ms));
}

void write_optional_time(JsonWriter& w, std::string_view key,
                         const std::optional<store::TimeMs>& ms) {
  if (ms) write_time(w, key, *ms);
}

// Stored JSON (shop, buyer_info) is copied verbatim; an empty column means null.
void write_raw_json(JsonWriter& w, std::string_view key, const std::string& json) {
  write_key(w, key);
  if (json.empty())
    w.Null();
  else
    w.RawValue(json.data(), json.size(), rapidjson::kObjectType);
}

void write_message_fields(JsonWriter& w, const store::Message& m, bool is_seen) {
  write_field(w, "_id", m.id);
  write_field(w, "room_id", m.room_id);
  write_field(w, "from", m.from);
  write_field(w, "to", m.to);
  write_field(w, "type", message_type_name(m.type));
  write_field(w, "content", m.content);
  if (!m.client_message_id.empty()) write_field(w, "client_message_id", m.client_message_id);
  write_key(w, "is_seen");
  w.Bool(is_seen);
  write_time(w, "created_at", m.created_at);
  write_time(w, "updated_at", m.updated_at ? m.updated_at : m.created_at);
}

void write_room_common(JsonWriter& w, const store::Room& r) {
  write_field(w, "_id", r.id);
  write_field(w, "type", r.type);
  write_field(w, "creator", r.creator);
  write_field(w, "buyer", r.buyer);
  write_field(w, "seller", r.seller);
  write_field(w, "shop_id", r.shop_id);
}

void write_room_tail(JsonWriter& w, const store::Room& r) {
  write_key(w, "enable");
  w.Bool(r.enable);
  write_time(w, "created_at", r.created_at);
  write_time(w, "updated_at", r.updated_at ? r.updated_at : r.created_at);
}

// One side's private fields: last message, unseen counter, pin and deletion.
struct SideFields {
  std::string_view last_message_key, unseen_key, pinned_key, deleted_key, deleted_at_key;
  const std::optional<store::LastMessage>& last_message;
  std::int64_t unseen;
  const std::optional<store::TimeMs>& pinned;
  bool deleted;
  const std::optional<store::TimeMs>& deleted_at;
};

SideFields buyer_side(const store::Room& r) {
  return {"buyer_last_message",    "buyer_unseen_messages", "pinned_by_buyer",
          "deleted_by_buyer",      "buyer_deleted_at",      r.buyer_last_message,
          r.buyer_unseen_messages, r.pinned_by_buyer,       r.deleted_by_buyer,
          r.buyer_deleted_at};
}

SideFields seller_side(const store::Room& r) {
  return {"seller_last_message",    "seller_unseen_messages", "pinned_by_seller",
          "deleted_by_seller",      "seller_deleted_at",      r.seller_last_message,
          r.seller_unseen_messages, r.pinned_by_seller,       r.deleted_by_seller,
          r.seller_deleted_at};
}

void write_side(JsonWriter& w, const SideFields& s) {
  write_key(w, s.last_message_key);
  if (s.last_message)
    write_last_message(w, *s.last_message);
  else
    w.Null();
  write_key(w, s.unseen_key);
  w.Int64(s.unseen);
  write_optional_time(w, s.pinned_key, s.pinned);
  write_key(w, s.deleted_key);
  w.Bool(s.deleted);
  write_optional_time(w, s.deleted_at_key, s.deleted_at);
}

template <typename Fn>
std::string render(Fn&& fn) {
  std::string out;
  out.reserve(256);
  StringSink sink(out);
  JsonWriter w(sink);
  fn(w);
  return out;
}

}  // namespace

std::string_view message_type_name(store::MessageType type) {
  switch (type) {
    case store::MessageType::Text:
      return "TEXT";
    case store::MessageType::Image:
      return "IMAGE";
    case store::MessageType::Emoji:
      return "EMOJI";
  }
  return "TEXT";
}

std::string_view role_name(store::Role role) {
  return role == store::Role::Buyer ? "BUYER" : "SELLER";
}

void write_message(JsonWriter& w, const store::Message& message) {
  w.StartObject();
  write_message_fields(w, message, message.is_seen);
  w.EndObject();
}

std::string render_message(const store::Message& message) {
  return render([&](JsonWriter& w) { write_message(w, message); });
}

void write_last_message(JsonWriter& w, const store::LastMessage& last) {
  w.StartObject();
  write_message_fields(w, last.message, last.is_seen);
  w.EndObject();
}

void write_room(JsonWriter& w, const store::Room& room) {
  w.StartObject();
  write_room_common(w, room);
  write_raw_json(w, "shop", room.shop_json);
  write_raw_json(w, "buyer_info", room.buyer_info_json);
  write_side(w, buyer_side(room));
  write_side(w, seller_side(room));
  write_room_tail(w, room);
  w.EndObject();
}

std::string render_room(const store::Room& room) {
  return render([&](JsonWriter& w) { write_room(w, room); });
}

void write_room_for(JsonWriter& w, const store::Room& room, store::Role viewer) {
  w.StartObject();
  write_room_common(w, room);
  if (viewer == store::Role::Buyer) {
    write_raw_json(w, "shop", room.shop_json);
    write_side(w, buyer_side(room));
  } else {
    write_raw_json(w, "buyer_info", room.buyer_info_json);
    write_side(w, seller_side(room));
  }
  write_room_tail(w, room);
  w.EndObject();
}

std::string render_room_for(const store::Room& room, store::Role viewer) {
  return render([&](JsonWriter& w) { write_room_for(w, room, viewer); });
}

std::string render_typing(std::string_view room_id, std::string_view from, std::string_view to) {
  return render([&](JsonWriter& w) {
    w.StartObject();
    write_field(w, "room_id", room_id);
    write_field(w, "from", from);
    write_field(w, "to", to);
    w.EndObject();
  });
}

namespace {

void write_ids(JsonWriter& w, const std::vector<std::string>& ids) {
  write_key(w, "message_ids");
  w.StartArray();
  for (const auto& id : ids) write_string(w, id);
  w.EndArray();
}

}  // namespace

std::string render_seen_event(std::string_view room_id, std::string_view reader,
                              std::string_view other, const std::vector<std::string>& ids) {
  return render([&](JsonWriter& w) {
    w.StartObject();
    write_field(w, "room_id", room_id);
    write_field(w, "from", reader);
    write_field(w, "to", other);
    write_ids(w, ids);
    w.EndObject();
  });
}

std::string render_seen_ack(const std::vector<std::string>& ids) {
  return render([&](JsonWriter& w) {
    w.StartObject();
    write_key(w, "status");
    w.Bool(true);
    write_ids(w, ids);
    w.EndObject();
  });
}

std::string render_room_side_event(const store::Room& room, store::Role side, bool deleted,
                                   TimeMs at) {
  return render([&](JsonWriter& w) {
    w.StartObject();
    write_field(w, "room_id", room.id);
    write_field(w, "user_id", side == store::Role::Buyer ? room.buyer : room.seller);
    write_field(w, "role", role_name(side));
    write_key(w, "deleted");
    w.Bool(deleted);
    write_field(w, "at", format_iso8601(at));
    w.EndObject();
  });
}

std::string_view create_outcome_name(store::CreateOutcome outcome) {
  switch (outcome) {
    case store::CreateOutcome::Created:
      return "created";
    case store::CreateOutcome::Existed:
      return "existed";
    case store::CreateOutcome::Reenabled:
      return "reenabled";
  }
  return "existed";
}

std::string_view create_outcome_message(store::CreateOutcome outcome) {
  switch (outcome) {
    case store::CreateOutcome::Created:
      return "Created room successfully!";
    case store::CreateOutcome::Existed:
      return "Room exists!";
    case store::CreateOutcome::Reenabled:
      return "Room exists and re-enable room for seller and buyer";
  }
  return "Room exists!";
}

void write_error_member(JsonWriter& w, const Error& error) {
  write_key(w, "error");
  w.StartObject();
  write_field(w, "code", error.code);
  write_field(w, "message", error.message);
  w.EndObject();
}

void write_error(JsonWriter& w, const Error& error) {
  w.StartObject();
  write_error_member(w, error);
  w.EndObject();
}

std::string render_error(const Error& error) {
  return render([&](JsonWriter& w) { write_error(w, error); });
}

}  // namespace cz::messenger
