#pragma once
// What a database must provide to be a store: the few primitive operations that the shared
// front (store_front.hpp, operations.hpp) builds every Store operation from.
//
// A backend is one folder that declares its struct Backend with
//
//   CZ_STORE_BACKEND(Connection, "MyDB");  // its connection type (which also meets
//                                          // batch_runner.hpp's requirements), a name for logs
//
// in its namespace, defines the primitives (Backend::load_room, ...) in its .cpp files, and has
// a Store class deriving from StoreFront<Backend> that opens the connections (see README.md).
// The primitives are declared once, here, so that every backend has the same ones without a
// virtual call: the front is a template over the backend. A missing one is a link error.
//
// Each primitive is one or a few statements on one connection, run by the front inside the
// writer's batch transaction (writes) or on a reader's connection (reads). They throw
// StoreFailure (or any std::exception) when the database fails; the job turns that into an
// error. They check nothing the front checks (rules.hpp: validation, membership, ownership).
#include <optional>
#include <string>
#include <vector>

#include "store/migrations.hpp"
#include "store/model.hpp"
#include "store/store.hpp"

namespace cz::store {

// What inserting a new message found.
enum class InsertAttempt {
  Stored,
  NoRoom,      // no room has that id: nothing stored
  NotMembers,  // sender and recipient are not the room's two members: nothing stored
  Taken,       // the sender's client_message_id is stored already (a retry): nothing stored
};

}  // namespace cz::store

// Schema (migrations.hpp; the backend's schema.cpp).
// - schema_migrations: this build's, oldest first. apply_migrations brings the database up to
//   the last of `migrations` in one transaction and returns how many it applied (throws
//   StoreFailure when the database is newer than the list or one fails: then none is applied).
//   schema_version: the database's (0 when empty).
// Rooms. The updates return false when no room has that id.
// - insert_room: a new room `room_id` from the request, created at `now`; false when the id
//   is taken (another node created it since load_room said it was not there).
// - reenable_room clears both deletion flags; pin_side pins (pinned_at = now) or unpins
//   (nullopt); delete_side sets the side's deletion flag and time and drops its pin, last
//   message and unread count.
// Messages.
// - insert_message stores a new message of ours (id and times set) and whatever room state
//   follows from it. A backend may answer Stored before it knows (PostgreSQL's pipelined pass;
//   the batch then runs again, unpipelined, when it was not).
// - find_by_client_id: the stored message whose client_message_id the sender has used.
// - mark_seen marks the room's messages to `reader` (on `side`) seen, `ids` only or all, and
//   updates the side's unread state; returns the ids changed, in any order.
// - update_content stores the message's content and updated_at.
// Import (ImportBatch, store.hpp): documents stored as given.
// - begin_import runs once per batch, before the rest (tuning; may do nothing).
// - import_room / import_message: false when nothing was inserted, the id being taken (or, for
//   a message, the sender's client_message_id, unless with_client_id is false: then it is
//   stored without it).
#define CZ_STORE_BACKEND_PRIMITIVES                                                                \
  static std::span<const ::cz::store::Migration> schema_migrations();                              \
  static int apply_migrations(Connection& db, std::span<const ::cz::store::Migration> migrations); \
  static int schema_version(Connection& db);                                                       \
                                                                                                   \
  static std::optional<::cz::store::Room> load_room(Connection& db, const std::string& room_id);   \
  static bool insert_room(Connection& db, const std::string& room_id,                              \
                          const ::cz::store::CreateRoom& req, ::cz::store::TimeMs now);            \
  static bool reenable_room(Connection& db, const std::string& room_id, ::cz::store::TimeMs now);  \
  static bool enable_side(Connection& db, const std::string& room_id, ::cz::store::Role side,      \
                          ::cz::store::TimeMs now);                                                \
  static bool pin_side(Connection& db, const std::string& room_id, ::cz::store::Role side,         \
                       std::optional<::cz::store::TimeMs> pinned_at, ::cz::store::TimeMs now);     \
  static bool delete_side(Connection& db, const std::string& room_id, ::cz::store::Role side,      \
                          ::cz::store::TimeMs now);                                                \
  static std::vector<::cz::store::Room> list_rooms(Connection& db,                                 \
                                                   const ::cz::store::RoomQuery& query);           \
  static std::vector<::cz::store::UnreadCount> unread_counts(Connection& db,                       \
                                                             const std::string& user_id);          \
  static std::vector<std::string> room_partners(Connection& db, const std::string& user_id);       \
                                                                                                   \
  static ::cz::store::InsertAttempt insert_message(Connection& db, const ::cz::store::Message& m); \
  static std::optional<::cz::store::Message> find_by_client_id(Connection& db,                     \
                                                               const ::cz::store::Message& m);     \
  static std::vector<std::string> mark_seen(Connection& db, const ::cz::store::Room& room,         \
                                            ::cz::store::Role side, const std::string& reader,     \
                                            const std::optional<std::vector<std::string>>& ids,    \
                                            ::cz::store::TimeMs now);                              \
  static std::vector<::cz::store::Message> list_messages(Connection& db,                           \
                                                         const ::cz::store::MessageQuery& query);  \
  static std::vector<::cz::store::Message> sync_messages(Connection& db,                           \
                                                         const ::cz::store::SyncQuery& query);     \
  static std::optional<::cz::store::Message> find_message(Connection& db,                          \
                                                          const std::string& message_id);          \
  static void update_content(Connection& db, const ::cz::store::Message& m);                       \
                                                                                                   \
  static void begin_import(Connection& db);                                                        \
  static bool room_exists(Connection& db, const std::string& room_id);                             \
  static bool message_exists(Connection& db, const std::string& message_id);                       \
  static bool import_room(Connection& db, const ::cz::store::Room& r);                             \
  static bool import_message(Connection& db, const ::cz::store::Message& m, bool with_client_id);

// struct Backend: the connection type, the name for logs ("SQLite", "PostgreSQL"), and the
// primitives above as static functions.
#define CZ_STORE_BACKEND(ConnectionType, name)   \
  struct Backend {                               \
    using Connection = ConnectionType;           \
    static constexpr const char* kName = (name); \
    CZ_STORE_BACKEND_PRIMITIVES                  \
  }
