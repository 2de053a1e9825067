#include "engineio/polling_transport.hpp"

#include "engineio/error_response.hpp"

namespace cz::engineio {

namespace http = net::http;

void PollingTransport::answer(PacketType type) {
  if (get_) respond_payload(std::move(get_), encode_packet(type));
}

bool PollingTransport::buffer(SharedBuffer bytes, bool binary) {
  buffered_bytes_ += bytes->size();
  buffer_.push_back({std::move(bytes), binary});
  if (buffered_bytes_ <= context_.options.max_buffered_bytes) return true;
  clear();
  return false;
}

void PollingTransport::flush(bool last) {
  if (!get_ || (buffer_.empty() && !last)) return;
  if (last) buffer_.push_back({make_buffer(encode_packet(PacketType::Close)), false});
  respond_payload(std::move(get_), encode_payload(buffer_));
  clear();
}

std::vector<OutgoingPacket> PollingTransport::take_buffer() {
  buffered_bytes_ = 0;
  return std::move(buffer_);
}

void PollingTransport::clear() {
  buffer_.clear();
  buffered_bytes_ = 0;
}

std::optional<std::vector<Packet>> PollingTransport::read_post(
    const std::shared_ptr<net::HttpExchange>& post, std::string_view* close_reason) {
  const std::string& body = post->request().body();
  if (body.size() > context_.options.max_payload) {
    net::Response res{http::status::payload_too_large, post->request().version()};
    res.keep_alive(false);
    respond(post, std::move(res));
    *close_reason = "transport error";
    return std::nullopt;
  }
  auto packets = decode_payload(body, context_.options.max_payload);
  if (!packets) {
    respond(post, make_error_response(post->request(), ErrorCode::BadRequest, false));
    *close_reason = "parse error";
    return std::nullopt;
  }
  net::Response ok{http::status::ok, post->request().version()};
  // text/html, as Node answers, to keep some user agents from offering a download.
  ok.set(http::field::content_type, "text/html");
  ok.keep_alive(post->request().keep_alive());
  ok.body() = "ok";
  ok.prepare_payload();
  respond(post, std::move(ok));
  return std::move(*packets);
}

void PollingTransport::respond(const std::shared_ptr<net::HttpExchange>& exchange,
                               net::Response response) const {
  context_.cors.apply(exchange->request(), response);
  exchange->respond(std::move(response));
}

void PollingTransport::respond_payload(std::shared_ptr<net::HttpExchange> exchange,
                                       std::string body) const {
  net::Response res{http::status::ok, exchange->request().version()};
  res.set(http::field::content_type, "text/plain; charset=UTF-8");
  res.keep_alive(exchange->request().keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  respond(exchange, std::move(res));
}

}  // namespace cz::engineio
