// /v1/messages (history pages, the original's POST, edits) and /v1/unread.
#include "messenger/errors.hpp"
#include "messenger/metrics.hpp"
#include "messenger/render.hpp"
#include "messenger/rest/handlers.hpp"
#include "messenger/rest/params.hpp"
#include "messenger/rest/responses.hpp"

namespace cz::messenger::rest {

void list_messages(const CallPtr& call) {
  auto page = parse_list_messages(call->query, call->options().limits, call->options().pages);
  if (!page) return call->fail(page.error());
  auto acting = acting_of(*call);
  if (!acting) return call->fail(acting.error());
  const std::string room_id = page->query.room_id;
  with_room(call, room_id, std::move(*acting),
            [call, page = std::move(*page)](store::Room room, store::Role) mutable {
              PageInfo info;
              info.limit = page.query.limit;
              info.from = page.from;
              info.order = page.query.order;
              info.cursor = page.query.cursor_id;
              // One more than the page: whether it exists says if there is a next page.
              store::MessageQuery query = std::move(page.query);
              query.limit = info.limit + 1;
              call->store().list_messages(
                  std::move(query),
                  call->then<std::vector<store::Message>>(
                      [call, room_id = std::move(room.id),
                       info = std::move(info)](Result<std::vector<store::Message>> r) mutable {
                        if (!r) return call->fail_store(r.error());
                        auto& messages = *r;
                        if (messages.size() > info.limit) {
                          messages.resize(info.limit);
                          info.next_cursor = messages.back().id;
                        }
                        call->ok(render_message_page(room_id, info, messages));
                      }));
            });
}

void post_message(const CallPtr& call) {
  auto acting = acting_of(*call);
  if (!acting) return call->fail(acting.error());
  auto msg = parse_post_message(call->body, *acting, call->options().limits);
  if (!msg) return call->fail(msg.error());
  const std::string room_id = msg->room_id;
  with_room(call, room_id, std::move(*acting),
            [call, msg = std::move(*msg)](store::Room room, store::Role) mutable {
              if (auto denied = check_conversation(Participants{room.buyer, room.seller},
                                                   call->caller.user_id, msg.from, msg.to))
                return call->fail(*denied);
              call->conversations().send_message(
                  std::move(msg), call->here<SentMessage>([call](Result<SentMessage> r) {
                    if (!r) return call->fail_store(r.error());
                    // A retry (same client_message_id) was counted the first time.
                    if (!r->duplicate) messenger_metrics().stored(Api::Rest).inc();
                    call->ok(render_message_reply(r->json));
                  }));
            });
}

void edit_message(const CallPtr& call) {
  auto id = message_id_param(call->route.param("id"), call->options().limits);
  if (!id) return call->fail(id.error());
  auto acting = acting_of(*call);
  if (!acting) return call->fail(acting.error());
  auto content = parse_edit_message(call->body, call->options().limits);
  if (!content) return call->fail(content.error());
  // The store allows only the sender (FORBIDDEN otherwise), which also keeps the edit inside
  // the sender's own room.
  call->conversations().edit_message(std::move(*id), call->caller.user_id, std::move(*content),
                                     call->here<store::Message>([call](Result<store::Message> r) {
                                       if (!r) return call->fail_store(r.error());
                                       call->ok(render_message_reply(render_message(*r)));
                                     }));
}

void unread(const CallPtr& call) {
  auto acting = acting_of(*call);
  if (!acting) return call->fail(acting.error());
  call->store().unread_counts(acting->user_id,
                              call->then<std::vector<store::UnreadCount>>(
                                  [call](Result<std::vector<store::UnreadCount>> r) {
                                    if (!r) return call->fail_store(r.error());
                                    call->ok(render_unread(call->caller.user_id, *r));
                                  }));
}

}  // namespace cz::messenger::rest
