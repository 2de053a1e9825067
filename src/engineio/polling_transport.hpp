#pragma once
// The long-polling side of one Engine.IO session: the pending GET, the packets buffered until
// it comes, the POSTs that carry the client's packets. Owned by its Session and used on the
// session's shard thread only; what the session does about a broken client (close it, and why)
// is the session's.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engineio/packet.hpp"
#include "engineio/server_context.hpp"
#include "net/http.hpp"

namespace cz::engineio {

class PollingTransport {
 public:
  explicit PollingTransport(const ServerContext& context) : context_(context) {}

  // --- the pending GET ---
  bool waiting() const { return get_ != nullptr; }
  bool is_pending(const net::HttpExchange* get) const { return get_.get() == get; }
  void hold(std::shared_ptr<net::HttpExchange> get) { get_ = std::move(get); }
  void forget_get() { get_.reset(); }
  // Answers the pending GET (if any) with one packet: noop to release it, close to end it.
  void answer(PacketType type);

  // --- the buffer ---
  // Queues a packet for the next GET; false when that puts the buffer over max_buffered_bytes
  // (the client does not come for its packets): the buffer is then dropped.
  bool buffer(SharedBuffer bytes, bool binary);
  bool empty() const { return buffer_.empty(); }
  // Answers the pending GET with everything buffered, then the close packet when `last`.
  // Nothing happens without a pending GET, or with an empty buffer unless `last`.
  void flush(bool last = false);
  // The buffered packets, moved out (to the WebSocket after an upgrade).
  std::vector<OutgoingPacket> take_buffer();
  void clear();

  // --- requests ---
  // A POST's packets, answered "ok"; or nullopt, the POST answered with the error, and
  // `*close_reason` set to what the session should close with.
  std::optional<std::vector<Packet>> read_post(const std::shared_ptr<net::HttpExchange>& post,
                                               std::string_view* close_reason);
  // Any response to a request of this session, with the CORS headers.
  void respond(const std::shared_ptr<net::HttpExchange>& exchange, net::Response response) const;

 private:
  void respond_payload(std::shared_ptr<net::HttpExchange> exchange, std::string body) const;

  const ServerContext& context_;
  std::shared_ptr<net::HttpExchange> get_;
  std::vector<OutgoingPacket> buffer_;
  std::size_t buffered_bytes_ = 0;
};

}  // namespace cz::engineio
