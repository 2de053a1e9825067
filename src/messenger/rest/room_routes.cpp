// /v1/rooms: the room list, creation, one room, and the per-side actions (enable, pin, seen,
// delete). Every action on a room first loads it and checks the caller's side in it.
#include "messenger/errors.hpp"
#include "messenger/render.hpp"
#include "messenger/rest/handlers.hpp"
#include "messenger/rest/params.hpp"
#include "messenger/rest/responses.hpp"

namespace cz::messenger::rest {
namespace {

const std::string& other_user(const store::Room& room, store::Role side) {
  return side == store::Role::Buyer ? room.seller : room.buyer;
}

const std::string& user_on(const store::Room& room, store::Role side) {
  return side == store::Role::Buyer ? room.buyer : room.seller;
}

// The room id of the path, then the caller's acting identity; refuses the call otherwise.
std::optional<std::pair<std::string, Acting>> room_request(const CallPtr& call) {
  auto room_id = room_id_param(call->route.param("room_id"), call->options().limits);
  if (!room_id) {
    call->fail(room_id.error());
    return std::nullopt;
  }
  auto acting = acting_of(*call);
  if (!acting) {
    call->fail(acting.error());
    return std::nullopt;
  }
  return std::make_pair(std::move(*room_id), std::move(*acting));
}

}  // namespace

Result<Acting> acting_of(const Call& call) {
  const Limits& limits = call.options().limits;
  auto from_query = identity_from_query(call.query, limits);
  if (!from_query) return from_query.error();
  auto acting = resolve_identity(call.caller, *from_query);
  if (!acting) return acting;
  if (call.body.ObjectEmpty()) return acting;
  auto from_body = identity_from_body(call.body, limits);
  if (!from_body) return from_body.error();
  // The body's role must agree with the token's and with the query's.
  return resolve_identity(Caller{call.caller.user_id, acting->role}, *from_body);
}

void with_room(const CallPtr& call, std::string room_id, Acting acting,
               std::function<void(store::Room room, store::Role side)> then) {
  call->store().get_room(
      std::move(room_id),
      call->then<std::optional<store::Room>>(
          [call, acting = std::move(acting),
           then = std::move(then)](Result<std::optional<store::Room>> r) {
            if (!r) return call->fail_store(r.error());
            if (!r->has_value())
              return call->fail(make_error(code::kRoomNotFound, "room not found"));
            auto side = side_in_room(**r, acting);
            if (!side) return call->fail(side.error());
            then(std::move(**r), *side);
          }));
}

void list_rooms(const CallPtr& call) {
  auto acting = acting_of(*call);
  if (!acting) return call->fail(acting.error());
  auto query = parse_list_rooms(call->query, *acting, call->options().max_name_filter_bytes);
  if (!query) return call->fail(query.error());
  const store::Role role = query->role;
  call->store().list_rooms(
      std::move(*query),
      call->then<std::vector<store::Room>>([call, role](Result<std::vector<store::Room>> r) {
        if (!r) return call->fail_store(r.error());
        call->ok(render_room_list(call->caller.user_id, role, *r));
      }));
}

namespace {

// The reply, then create_room to both users' tabs, as over the socket.
void store_room(const CallPtr& call, store::CreateRoom req, store::Role side) {
  call->conversations().create_room(
      std::move(req),
      call->here<store::CreateRoomResult>([call, side](Result<store::CreateRoomResult> r) {
        if (!r) return call->fail_store(r.error());
        call->ok(render_create_room(*r, side));
      }));
}

// Replaces the client's shop and buyer details with the marketplace services' (when those are
// configured and answer), then stores the room.
void look_up_and_store_room(const CallPtr& call, store::CreateRoom req, store::Role side) {
  auto room = std::make_shared<store::CreateRoom>(std::move(req));
  call->room_details()(room, call->executor(), [call, room, side] {
    call->guarded([&] { store_room(call, std::move(*room), side); });
  });
}

}  // namespace

void create_room(const CallPtr& call) {
  auto acting = acting_of(*call);
  if (!acting) return call->fail(acting.error());
  auto req =
      parse_create_room_body(call->body, *acting, call->options().limits, call->options().details);
  if (!req) return call->fail(req.error());
  const store::Role side =
      req->buyer == call->caller.user_id ? store::Role::Buyer : store::Role::Seller;
  if (call->room_details()) return look_up_and_store_room(call, std::move(*req), side);
  store_room(call, std::move(*req), side);
}

void get_room(const CallPtr& call) {
  auto req = room_request(call);
  if (!req) return;
  with_room(call, std::move(req->first), std::move(req->second),
            [call](store::Room room, store::Role side) { call->ok(render_room_only(room, side)); });
}

void delete_room(const CallPtr& call) {
  auto req = room_request(call);
  if (!req) return;
  with_room(call, req->first, std::move(req->second), [call](store::Room room, store::Role side) {
    call->conversations().delete_room_side(
        room.id, side, call->here<store::Room>([call, side](Result<store::Room> r) {
          if (!r) return call->fail_store(r.error());
          call->ok(render_room_deleted(
              side, side == store::Role::Buyer ? r->buyer_deleted_at : r->seller_deleted_at));
        }));
  });
}

void enable_room(const CallPtr& call) {
  auto req = room_request(call);
  if (!req) return;
  with_room(call, req->first, std::move(req->second), [call](store::Room room, store::Role side) {
    call->conversations().enable_room_side(
        room.id, side, call->here<store::Room>([call, side](Result<store::Room> r) {
          if (!r) return call->fail_store(r.error());
          call->ok(render_room_status(*r, side, "Enable room successfully!"));
        }));
  });
}

void pin_room(const CallPtr& call, bool pinned) {
  auto req = room_request(call);
  if (!req) return;
  with_room(call, req->first, std::move(req->second),
            [call, pinned](store::Room room, store::Role side) {
              call->store().set_pinned(room.id, side, pinned,
                                       call->then<store::Room>([call, side](Result<store::Room> r) {
                                         if (!r) return call->fail_store(r.error());
                                         call->ok(render_room_status(*r, side, ""));
                                       }));
            });
}

void mark_room_seen(const CallPtr& call) {
  auto req = room_request(call);
  if (!req) return;
  with_room(call, req->first, std::move(req->second), [call](store::Room room, store::Role side) {
    // seen_messages goes to both users' tabs, as after the socket's (the sender learns which of
    // their messages were read, the reader's tabs clear their badges); the reply is the room.
    call->conversations().mark_seen(
        room.id, user_on(room, side), other_user(room, side), std::nullopt, std::nullopt,
        call->here<std::vector<std::string>>([call, room_id = room.id,
                                              side](Result<std::vector<std::string>> r) {
          if (!r) return call->fail_store(r.error());
          call->store().get_room(
              room_id, call->then<std::optional<store::Room>>(
                           [call, side](Result<std::optional<store::Room>> room) {
                             if (!room) return call->fail_store(room.error());
                             if (!room->has_value())
                               return call->fail(make_error(code::kRoomNotFound, "room not found"));
                             call->ok(render_room_status(**room, side, ""));
                           }));
        }));
  });
}

}  // namespace cz::messenger::rest
