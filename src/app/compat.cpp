#include "app/compat.hpp"

namespace cz::app {
namespace {

constexpr CompatEntry kEntries[] = {
    {"handshake with token, user_id and user_role in the query or auth payload",
     CompatVerdict::Kept, "same fields, both places", "tests/e2e/messenger/auth.test.js",
     "credentials in the auth payload or in the query"},
    {"any non-empty token is accepted; user_id and user_role are trusted", CompatVerdict::Refused,
     "the token is a verified JWT (sub = user id); a bad one gets status false and a disconnect",
     "tests/e2e/messenger/auth.test.js", "verify_user with a bad token answers status false"},
    {"verify_user answers the connection's status", CompatVerdict::Kept,
     "the same event and ack; it cannot switch a connection to another user",
     "tests/e2e/messenger/auth.test.js", "verify_user cannot switch a connection"},
    {"create_room makes room <buyerId>.<sellerId> of type BS and tells both users",
     CompatVerdict::Kept, "the same id, type and event; idempotent",
     "tests/e2e/messenger/conversation.test.js", "create_room: id <buyer>.<seller>"},
    {"new_message is delivered to both users, with a server _id and the client_message_id echo",
     CompatVerdict::Kept, "the same, after it is stored; the ack is the stored message",
     "tests/e2e/messenger/conversation.test.js", "new_message: stored, acked, delivered"},
    {"new_message trusts `from` from the client", CompatVerdict::Refused,
     "a `from` other than the token's user is FORBIDDEN", "tests/e2e/messenger/refusals.test.js",
     "a forged from"},
    {"anyone can post into any room", CompatVerdict::Refused,
     "only the room's buyer and seller (FORBIDDEN otherwise)",
     "tests/e2e/messenger/refusals.test.js", "a user outside the room cannot post into it"},
    {"a client retry with the same client_message_id is stored and delivered again",
     CompatVerdict::Changed, "acked with the stored message, not delivered twice",
     "tests/e2e/messenger/conversation.test.js", "a retry with the same client_message_id"},
    {"typing / stop_typing are forwarded to the other user", CompatVerdict::Kept,
     "the same, members only", "tests/e2e/messenger/conversation.test.js",
     "typing / stop_typing are forwarded to the other user only"},
    {"seen_messages marks messages read and tells the sender", CompatVerdict::Kept,
     "the same, also to the reader's other tabs", "tests/e2e/messenger/conversation.test.js",
     "seen_messages marks the reader"},
    {"partners see a user come online and go offline", CompatVerdict::Kept,
     "the same, per user across tabs (and nodes)", "tests/e2e/messenger/presence.test.js",
     "partners learn when the first tab connects"},
    {"get_user_status answers for any user id", CompatVerdict::Refused,
     "only for users who share a room with the caller", "tests/e2e/messenger/hostile.test.js",
     "get_user_status answers only for users who share a room"},
    {"a client that was offline has no way to fetch what it missed", CompatVerdict::Changed,
     "sync {since} returns exactly what it missed, also across a restart",
     "tests/e2e/messenger/sync_restart.test.js", "sync returns exactly what a disconnected user"},
    {"a malformed packet closes the connection", CompatVerdict::Changed,
     "on /messenger: an INVALID_JSON error (ack or `error` event), the socket stays up",
     "tests/e2e/messenger/malformed.test.js", "gets an INVALID_JSON ack and the socket keeps"},
    {"no limit on a client's event rate", CompatVerdict::Changed,
     "a flooder is refused, then disconnected (--event-rate); others are not affected",
     "tests/e2e/messenger/rate_limit.test.js", "a flooder is limited and then disconnected"},
    {"REST /v1 for rooms, messages, pins, deletion, unread counts", CompatVerdict::Kept,
     "the same routes and shapes", "tests/e2e/rest/routes.test.js",
     "POST /v1/rooms: created, exists, re-enabled"},
    {"REST trusts user_id and role from the request", CompatVerdict::Refused,
     "Authorization: Bearer JWT; another user's id, role or room is 403",
     "tests/e2e/rest/refusals.test.js", "user_id or role other than the token's"},
    {"rooms and messages live in MongoDB", CompatVerdict::Changed,
     "cz-messenger import loads mongoexport/mongodump files, ids kept",
     "tests/e2e/import/import.test.js", "imports every export format"},
};

}  // namespace

std::span<const CompatEntry> compat_entries() {
  return kEntries;
}

const char* compat_verdict_name(CompatVerdict verdict) {
  switch (verdict) {
    case CompatVerdict::Kept:
      return "kept";
    case CompatVerdict::Changed:
      return "changed";
    case CompatVerdict::Refused:
      return "refused";
  }
  return "?";
}

void print_compat(std::ostream& out) {
  out << "The original Node service's behaviours, and what cz-messenger does with each\n"
         "(kept / changed / refused; docs/migrating.md explains them; each is shown by the\n"
         "end-to-end test named):\n";
  for (const CompatEntry& e : kEntries) {
    out << "\n"
        << compat_verdict_name(e.verdict) << ": " << e.original << "\n"
        << "  here: " << e.here << "\n"
        << "  test: " << e.test_file << ": \"" << e.test_title << "\"\n";
  }
}

}  // namespace cz::app
