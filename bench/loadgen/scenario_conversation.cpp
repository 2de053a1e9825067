// pairs and fanout: G conversations; in each, a buyer (one socket) sends new_message with an
// ack to a seller connected with T sockets ("tabs"). pairs is T = 1; fanout is the messenger's
// natural fan-out: every message goes to every tab of the receiving user (and back to the
// sender's own socket, counted as an echo).
//
// Each message's client_message_id is "m<seq>" and its ack id is seq + 1, so both the ack and
// every delivery find the message's record directly: no lookup table on the hot path.
#include <cmath>

#include "coro.hpp"
#include "fleet.hpp"
#include "json_text.hpp"
#include "scenarios.hpp"

namespace cz::loadgen {
namespace {

constexpr std::uint64_t room_ack_base = 1ull << 40;  // ack ids of create_room, above any seq
constexpr std::uint32_t no_group = UINT32_MAX;

struct SentMessage {
  std::int64_t sent_ns = 0;
  std::uint32_t group = 0;
  std::uint16_t deliveries = 0;
  enum class Ack : std::uint8_t { none, ok, error } ack = Ack::none;
};

struct Conversation {
  std::size_t buyer_client = 0;
  std::vector<std::size_t> seller_clients;
  std::string buyer, seller, room_id;
  std::string message_prefix;  // the new_message payload up to the client_message_id digits
  bool room_ready = false;
};

enum class Role : std::uint8_t { buyer, seller, background };

class ConversationRun final : public FleetHandler {
 public:
  explicit ConversationRun(RunContext& ctx) : ctx_(ctx), o_(ctx.options), fleet_(ctx, *this) {}

  awaitable<int> run(Report& report) {
    build_conversations();
    co_await fleet_.connect_all(o_.connect_concurrency, o_.connect_timeout_s);
    co_await create_rooms();
    if (o_.warmup_s > 0) {  // lets a JIT compile the hot path; then everything is reset
      co_await send_for(o_.warmup_s);
      co_await drain();
      reset_statistics();
    }

    Measurement measurement(ctx_);
    measurement.begin();
    co_await send_for(o_.duration_s);
    co_await drain();
    measurement.end();

    fill_report(report, measurement);
    fleet_.close_all();
    co_return o_.strict && !clean() ? 1 : 0;
  }

  void on_event(SioClient& client, std::string_view name, const rapidjson::Value& arg) override {
    if (name != "new_message") {
      ++other_events_;
      return;
    }
    const auto seq = message_seq(arg);
    if (!seq || *seq >= messages_.size()) {
      ++foreign_messages_;
      return;
    }
    if (*seq < measured_from_) return;  // a late warm-up message
    const std::size_t c = client.index();
    if (roles_[c] == Role::buyer) {
      ++echoes_;
      return;
    }
    SentMessage& m = messages_[*seq];
    if (m.group != groups_of_client_[c]) {
      ++misdelivered_;
      return;
    }
    if (++m.deliveries > o_.tabs) {
      ++duplicates_;
    } else {
      ++capped_deliveries_;
      delivery_latency_.add_ns(now_ns() - m.sent_ns);
    }
    if (static_cast<std::int64_t>(*seq) < last_seq_of_client_[c])
      ++out_of_order_;
    else
      last_seq_of_client_[c] = static_cast<std::int64_t>(*seq);
  }

  void on_ack(SioClient& client, std::uint64_t ack_id, const rapidjson::Value& arg) override {
    const bool refused = !arg.IsObject() || arg.HasMember("error");
    if (refused && first_error_.empty()) first_error_ = describe(arg);
    if (ack_id >= room_ack_base) return on_room_ack(ack_id - room_ack_base, refused);
    const std::uint64_t seq = ack_id - 1;
    if (ack_id == 0 || seq >= messages_.size() || messages_[seq].ack != SentMessage::Ack::none) {
      ++unexpected_acks_;
      return;
    }
    SentMessage& m = messages_[seq];
    if (seq < measured_from_) {  // a late warm-up ack
      m.ack = SentMessage::Ack::ok;
      if (closed_loop_sending_) send_one(groups_of_client_[client.index()]);
      return;
    }
    m.ack = refused ? SentMessage::Ack::error : SentMessage::Ack::ok;
    if (refused)
      ++refused_;
    else {
      ++acked_;
      ack_latency_.add_ns(now_ns() - m.sent_ns);
    }
    if (closed_loop_sending_) send_one(groups_of_client_[client.index()]);
  }

 private:
  void build_conversations() {
    const std::string content(o_.message_size, 'x');
    conversations_.resize(o_.pairs);
    for (std::size_t g = 0; g < conversations_.size(); ++g) {
      auto& conv = conversations_[g];
      conv.buyer = o_.user_prefix + "b" + std::to_string(g);
      conv.seller = o_.user_prefix + "s" + std::to_string(g);
      conv.room_id = conv.buyer + "." + conv.seller;
      conv.buyer_client =
          add_client(conv.buyer, "BUYER", Role::buyer, static_cast<std::uint32_t>(g));
      for (unsigned t = 0; t < o_.tabs; ++t)
        conv.seller_clients.push_back(
            add_client(conv.seller, "SELLER", Role::seller, static_cast<std::uint32_t>(g)));
      std::string& p = conv.message_prefix;
      p = "{\"room_id\":";
      append_json_string(p, conv.room_id);
      p += ",\"from\":";
      append_json_string(p, conv.buyer);
      p += ",\"to\":";
      append_json_string(p, conv.seller);
      p += ",\"type\":\"TEXT\",\"content\":";
      append_json_string(p, content);
      p += ",\"client_message_id\":\"m";
    }
    for (unsigned i = 0; i < o_.background; ++i) {  // users of their own: they get nothing
      add_client(o_.user_prefix + "z" + std::to_string(i), i % 2 ? "SELLER" : "BUYER",
                 Role::background, no_group);
    }
    const double planned = o_.rate > 0 ? o_.rate * (o_.duration_s + o_.warmup_s) : 1e5;
    messages_.reserve(static_cast<std::size_t>(std::min(planned * 1.05 + 16, 50e6)));
    ack_latency_.reserve(messages_.capacity());
    delivery_latency_.reserve(messages_.capacity() * o_.tabs);
  }

  std::size_t add_client(const std::string& user, const char* role, Role r, std::uint32_t group) {
    const std::size_t index = fleet_.add(user, role);
    roles_.push_back(r);
    groups_of_client_.push_back(group);
    last_seq_of_client_.push_back(-1);
    return index;
  }

  awaitable<void> create_rooms() {
    for (std::size_t g = 0; g < conversations_.size(); ++g) {
      auto& conv = conversations_[g];
      std::string payload = "{\"type\":\"BS\",\"buyer\":";
      append_json_string(payload, conv.buyer);
      payload += ",\"seller\":";
      append_json_string(payload, conv.seller);
      payload += ",\"shop_id\":\"shop-bench\",\"creator\":";
      append_json_string(payload, conv.buyer);
      payload += '}';
      fleet_[conv.buyer_client].emit_with_ack_id("create_room", payload, room_ack_base + g);
    }
    const auto deadline = now_ns() + static_cast<std::int64_t>(o_.connect_timeout_s * 1e9);
    while (rooms_answered_ < conversations_.size() && now_ns() < deadline) {
      co_await ctx_.sleep_for(std::chrono::milliseconds(5));
    }
  }

  void on_room_ack(std::uint64_t group, bool refused) {
    if (group >= conversations_.size()) return;
    ++rooms_answered_;
    if (refused)
      ++room_errors_;
    else
      conversations_[group].room_ready = true;
  }

  // Sends the next message of conversation `g`, if its buyer is usable.
  void send_one(std::size_t g) {
    auto& conv = conversations_[g];
    auto& buyer = fleet_[conv.buyer_client];
    if (!conv.room_ready || buyer.state() != SioClient::State::connected) return;
    const std::uint64_t seq = messages_.size();
    payload_ = conv.message_prefix;
    payload_ += std::to_string(seq);
    payload_ += "\"}";
    messages_.push_back(
        SentMessage{now_ns(), static_cast<std::uint32_t>(g), 0, SentMessage::Ack::none});
    buyer.emit_with_ack_id("new_message", payload_, seq + 1);
  }

  awaitable<void> send_for(double seconds) {
    if (o_.rate > 0) {
      co_await send_paced(seconds);
    } else {
      co_await send_closed_loop(seconds);
    }
  }

  void reset_statistics() {
    measured_from_ = messages_.size();
    acked_ = refused_ = unacked_ = duplicates_ = out_of_order_ = misdelivered_ = 0;
    echoes_ = other_events_ = foreign_messages_ = unexpected_acks_ = capped_deliveries_ = 0;
    max_send_lag_ns_ = 0;
    ack_latency_ = LatencyRecorder{};
    delivery_latency_ = LatencyRecorder{};
    const double planned = o_.rate > 0 ? o_.rate * o_.duration_s : 1e5;
    ack_latency_.reserve(static_cast<std::size_t>(std::min(planned * 1.05 + 16, 50e6)));
    delivery_latency_.reserve(ack_latency_.capacity() * o_.tabs);
  }

  // Open loop at the aggregate rate, round-robin over the conversations. Lateness of the
  // generator against the schedule is reported (send_lag), not hidden.
  awaitable<void> send_paced(double seconds) {
    const auto tick = std::chrono::nanoseconds(static_cast<std::int64_t>(o_.tick_ms * 1e6));
    const std::int64_t begin = now_ns();
    const auto planned = static_cast<std::uint64_t>(std::llround(o_.rate * seconds));
    const double ns_per_message = 1e9 / o_.rate;
    boost::asio::steady_timer timer(ctx_.io);
    auto next_tick = std::chrono::steady_clock::now();
    std::uint64_t scheduled = 0;
    std::size_t round_robin = 0;
    send_begin_ns_ = begin;
    while (scheduled < planned) {
      const std::int64_t now = now_ns();
      auto due = static_cast<std::uint64_t>(static_cast<double>(now - begin) / ns_per_message) + 1;
      due = std::min(due, planned);
      for (; scheduled < due; ++scheduled) {
        const auto lag = now - begin -
                         static_cast<std::int64_t>(static_cast<double>(scheduled) * ns_per_message);
        max_send_lag_ns_ = std::max(max_send_lag_ns_, lag);
        send_one(round_robin++ % conversations_.size());
      }
      next_tick += tick;
      timer.expires_at(next_tick);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    send_end_ns_ = now_ns();
  }

  // Each buyer keeps `window` messages in flight: finds the saturation throughput.
  awaitable<void> send_closed_loop(double seconds) {
    send_begin_ns_ = now_ns();
    closed_loop_sending_ = true;
    for (std::size_t g = 0; g < conversations_.size(); ++g) {
      for (unsigned w = 0; w < o_.window; ++w) send_one(g);
    }
    co_await ctx_.sleep_for(std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9)));
    closed_loop_sending_ = false;
    send_end_ns_ = now_ns();
  }

  // Counters only: a scan of every message each poll would cost more than the server's work.
  bool settled() const {
    return acked_ + refused_ == messages_.size() - measured_from_ &&
           capped_deliveries_ >= acked_ * o_.tabs;
  }

  // Waits for outstanding acks and deliveries, up to the grace period.
  awaitable<void> drain() {
    const auto deadline = now_ns() + static_cast<std::int64_t>(o_.grace_s * 1e9);
    while (!settled() && now_ns() < deadline)
      co_await ctx_.sleep_for(std::chrono::milliseconds(10));
  }

  bool clean() const {
    return lost_messages_ == 0 && unacked_ == 0 && refused_ == 0 && duplicates_ == 0 &&
           out_of_order_ == 0 && misdelivered_ == 0 && room_errors_ == 0 &&
           rooms_answered_ == conversations_.size() && fleet_connect_failures_ == 0 &&
           fleet_.dropped() == 0 && messages_.size() > measured_from_;
  }

  void fill_report(Report& r, const Measurement& measurement) {
    std::uint64_t delivered = 0;
    const std::size_t sent = messages_.size() - measured_from_;
    for (std::size_t seq = measured_from_; seq < messages_.size(); ++seq) {
      const auto& m = messages_[seq];
      delivered += std::min<std::uint64_t>(m.deliveries, o_.tabs);
      if (m.ack == SentMessage::Ack::none) ++unacked_;
      if (m.ack == SentMessage::Ack::ok && m.deliveries < o_.tabs) {
        ++lost_messages_;
        lost_deliveries_ += o_.tabs - m.deliveries;
      }
    }
    auto& cs = fleet_.connect_stats();
    fleet_connect_failures_ = cs.failed;
    const double send_s = static_cast<double>(send_end_ns_ - send_begin_ns_) / 1e9;
    r.set("scenario", o_.scenario);
    r.set("label", o_.label);
    r.set("conversations", static_cast<std::int64_t>(o_.pairs));
    r.set("tabs", static_cast<std::int64_t>(o_.tabs));
    r.set("rate_target", o_.rate);
    r.set("window", static_cast<std::int64_t>(o_.rate > 0 ? 0 : o_.window));
    r.set("message_size", static_cast<std::int64_t>(o_.message_size));
    r.set("duration_s", o_.duration_s);
    r.set("background", static_cast<std::int64_t>(o_.background));
    r.set("clients", static_cast<std::int64_t>(fleet_.size()));
    r.set("connected", static_cast<std::int64_t>(cs.connected));
    r.set("connect_failures", static_cast<std::int64_t>(cs.failed));
    r.set("dropped", static_cast<std::int64_t>(fleet_.dropped()));
    r.set("rooms_ready", static_cast<std::int64_t>(rooms_answered_ - room_errors_));
    r.set("warmup_s", o_.warmup_s);
    r.set("sent", static_cast<std::int64_t>(sent));
    r.set("acked", static_cast<std::int64_t>(acked_));
    r.set("refused", static_cast<std::int64_t>(refused_));
    r.set("unacked", static_cast<std::int64_t>(unacked_));
    r.set("delivered", static_cast<std::int64_t>(delivered));
    r.set("expected_deliveries", static_cast<std::int64_t>(acked_ * o_.tabs));
    r.set("lost", static_cast<std::int64_t>(lost_messages_));
    r.set("lost_deliveries", static_cast<std::int64_t>(lost_deliveries_));
    r.set("duplicates", static_cast<std::int64_t>(duplicates_));
    r.set("out_of_order", static_cast<std::int64_t>(out_of_order_));
    r.set("misdelivered", static_cast<std::int64_t>(misdelivered_));
    r.set("echoes", static_cast<std::int64_t>(echoes_));
    r.set("send_rate", send_s > 0 ? std::round(static_cast<double>(sent) / send_s) : 0.0);
    r.set("delivered_per_s", std::round(static_cast<double>(delivered) / measurement.seconds()));
    r.set("send_lag_max_us", static_cast<double>(max_send_lag_ns_ / 1000));
    r.set_latency("ack", ack_latency_.summarize());
    r.set_latency("delivery", delivery_latency_.summarize());
    measurement.write(r, static_cast<double>(delivered), "delivered");
    r.set("first_error", first_error_.empty() ? cs.first_failure : first_error_);
    if (!fleet_.first_drop().empty()) r.set("first_drop", fleet_.first_drop());
    r.set("clean", clean());
  }

  static std::optional<std::uint64_t> message_seq(const rapidjson::Value& arg) {
    if (!arg.IsObject()) return std::nullopt;
    const auto it = arg.FindMember("client_message_id");
    if (it == arg.MemberEnd() || !it->value.IsString()) return std::nullopt;
    const char* s = it->value.GetString();
    const std::size_t n = it->value.GetStringLength();
    if (n < 2 || s[0] != 'm') return std::nullopt;
    std::uint64_t seq = 0;
    for (std::size_t i = 1; i < n; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      seq = seq * 10 + static_cast<std::uint64_t>(s[i] - '0');
    }
    return seq;
  }

  static std::string describe(const rapidjson::Value& arg) {
    if (arg.IsObject()) {
      const auto it = arg.FindMember("error");
      if (it != arg.MemberEnd() && it->value.IsObject()) {
        const auto code = it->value.FindMember("code");
        const auto message = it->value.FindMember("message");
        std::string out = "refused: ";
        if (code != it->value.MemberEnd() && code->value.IsString()) out += code->value.GetString();
        if (message != it->value.MemberEnd() && message->value.IsString())
          out += std::string(" ") + message->value.GetString();
        return out;
      }
    }
    return "refused: ack is not an object";
  }

  RunContext& ctx_;
  const Options& o_;
  Fleet fleet_;
  std::vector<Conversation> conversations_;
  std::vector<Role> roles_;                      // by client index
  std::vector<std::uint32_t> groups_of_client_;  // by client index
  std::vector<std::int64_t> last_seq_of_client_;
  std::vector<SentMessage> messages_;  // by seq
  std::size_t measured_from_ = 0;      // seqs below it are the warm-up's
  std::string payload_;
  LatencyRecorder ack_latency_, delivery_latency_;
  std::size_t rooms_answered_ = 0, room_errors_ = 0;
  bool closed_loop_sending_ = false;
  std::int64_t send_begin_ns_ = 0, send_end_ns_ = 0, max_send_lag_ns_ = 0;
  std::uint64_t acked_ = 0, refused_ = 0, unacked_ = 0, duplicates_ = 0, out_of_order_ = 0,
                misdelivered_ = 0;
  std::uint64_t echoes_ = 0, other_events_ = 0, foreign_messages_ = 0, unexpected_acks_ = 0;
  std::uint64_t lost_messages_ = 0, lost_deliveries_ = 0, capped_deliveries_ = 0;
  std::size_t fleet_connect_failures_ = 0;
  std::string first_error_;
};

}  // namespace

awaitable<int> run_conversations(RunContext& ctx, Report& report) {
  ConversationRun run(ctx);
  co_return co_await run.run(report);
}

}  // namespace cz::loadgen
