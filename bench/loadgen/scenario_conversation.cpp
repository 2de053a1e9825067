// pairs and fanout: G conversations; in each, a buyer (one socket) sends new_message with an
// ack to a seller connected with T sockets ("tabs"). pairs is T = 1; fanout is the messenger's
// natural fan-out: every message goes to every tab of the receiving user (and back to the
// sender's own socket, counted as an echo).
//
// Each message's client_message_id is "m<seq>" and its ack id is seq + 1, so both the ack and
// every delivery find the message's record directly: no lookup table on the hot path.
#include <cmath>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

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

// Everything a run counts; the threads' tallies are merged into one report.
struct ConversationTally {
  std::size_t clients = 0, connected = 0, connect_failures = 0, dropped = 0;
  std::size_t conversations = 0, rooms_answered = 0, room_errors = 0;
  std::uint64_t sent = 0, acked = 0, refused = 0, unacked = 0, delivered = 0;
  std::uint64_t lost = 0, lost_deliveries = 0, duplicates = 0, out_of_order = 0;
  std::uint64_t misdelivered = 0, echoes = 0;
  std::int64_t send_begin_ns = 0, send_end_ns = 0, max_send_lag_ns = 0;
  LatencyRecorder ack_latency, delivery_latency;
  std::string first_error, first_drop;

  void merge(ConversationTally&& o) {
    clients += o.clients, connected += o.connected, connect_failures += o.connect_failures;
    dropped += o.dropped, conversations += o.conversations, rooms_answered += o.rooms_answered;
    room_errors += o.room_errors, sent += o.sent, acked += o.acked, refused += o.refused;
    unacked += o.unacked, delivered += o.delivered, lost += o.lost;
    lost_deliveries += o.lost_deliveries, duplicates += o.duplicates;
    out_of_order += o.out_of_order, misdelivered += o.misdelivered, echoes += o.echoes;
    send_begin_ns = send_begin_ns ? std::min(send_begin_ns, o.send_begin_ns) : o.send_begin_ns;
    send_end_ns = std::max(send_end_ns, o.send_end_ns);
    max_send_lag_ns = std::max(max_send_lag_ns, o.max_send_lag_ns);
    ack_latency.merge(std::move(o.ack_latency));
    delivery_latency.merge(std::move(o.delivery_latency));
    if (first_error.empty()) first_error = std::move(o.first_error);
    if (first_drop.empty()) first_drop = std::move(o.first_drop);
  }

  bool clean() const {
    return lost == 0 && unacked == 0 && refused == 0 && duplicates == 0 && out_of_order == 0 &&
           misdelivered == 0 && room_errors == 0 && rooms_answered == conversations &&
           connect_failures == 0 && dropped == 0 && sent > 0;
  }
};

// Where the threads wait for each other between phases; the last one to arrive runs the
// phase's action (start or stop the measurement) before any is released, so that the server's
// CPU window covers every thread's sending and nothing else.
class PhaseBarrier {
 public:
  explicit PhaseBarrier(std::size_t parties) : parties_(parties) {}

  void arrive_and_wait(const std::function<void()>& on_last) {
    std::unique_lock lock(mutex_);
    const std::size_t generation = generation_;
    if (++arrived_ == parties_) {
      on_last();
      arrived_ = 0;
      ++generation_;
      released_.notify_all();
      return;
    }
    released_.wait(lock, [&] { return generation_ != generation; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable released_;
  std::size_t parties_, arrived_ = 0, generation_ = 0;
};

class ConversationRun final : public FleetHandler {
 public:
  ConversationRun(RunContext& ctx, PhaseBarrier& barrier, Measurement& measurement)
      : ctx_(ctx),
        o_(ctx.options),
        fleet_(ctx, *this),
        barrier_(barrier),
        measurement_(measurement) {}

  // Connects, creates the rooms, warms up, then sends for the measured window. The threads
  // block on the barrier between phases: their sockets have nothing in flight then.
  awaitable<void> run() {
    build_conversations();
    co_await fleet_.connect_all(o_.connect_concurrency, o_.connect_timeout_s);
    co_await create_rooms();
    if (o_.warmup_s > 0) {  // lets a JIT compile the hot path; then everything is reset
      co_await send_for(o_.warmup_s);
      co_await drain();
      reset_statistics();
    }
    barrier_.arrive_and_wait([this] { measurement_.begin(); });
    co_await send_for(o_.duration_s);
    co_await drain();
    barrier_.arrive_and_wait([this] { measurement_.end(); });
    tally_up();
    fleet_.close_all();
  }

  ConversationTally& tally() { return t_; }

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
      ++t_.echoes;
      return;
    }
    SentMessage& m = messages_[*seq];
    if (m.group != groups_of_client_[c]) {
      ++t_.misdelivered;
      return;
    }
    if (++m.deliveries > o_.tabs) {
      ++t_.duplicates;
    } else {
      ++capped_deliveries_;
      t_.delivery_latency.add_ns(now_ns() - m.sent_ns);
    }
    if (static_cast<std::int64_t>(*seq) < last_seq_of_client_[c])
      ++t_.out_of_order;
    else
      last_seq_of_client_[c] = static_cast<std::int64_t>(*seq);
  }

  void on_ack(SioClient& client, std::uint64_t ack_id, const rapidjson::Value& arg) override {
    const bool refused = !arg.IsObject() || arg.HasMember("error");
    if (refused && t_.first_error.empty()) t_.first_error = describe(arg);
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
      ++t_.refused;
    else {
      ++t_.acked;
      t_.ack_latency.add_ns(now_ns() - m.sent_ns);
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
    t_.ack_latency.reserve(messages_.capacity());
    t_.delivery_latency.reserve(messages_.capacity() * o_.tabs);
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
    while (t_.rooms_answered < conversations_.size() && now_ns() < deadline) {
      co_await ctx_.sleep_for(std::chrono::milliseconds(5));
    }
  }

  void on_room_ack(std::uint64_t group, bool refused) {
    if (group >= conversations_.size()) return;
    ++t_.rooms_answered;
    if (refused)
      ++t_.room_errors;
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
    capped_deliveries_ = other_events_ = foreign_messages_ = unexpected_acks_ = 0;
    ConversationTally fresh;  // the rooms were made before the warm-up: they stay counted
    fresh.rooms_answered = t_.rooms_answered;
    fresh.room_errors = t_.room_errors;
    t_ = std::move(fresh);
    const double planned = o_.rate > 0 ? o_.rate * o_.duration_s : 1e5;
    t_.ack_latency.reserve(static_cast<std::size_t>(std::min(planned * 1.05 + 16, 50e6)));
    t_.delivery_latency.reserve(t_.ack_latency.capacity() * o_.tabs);
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
    t_.send_begin_ns = begin;
    while (scheduled < planned) {
      const std::int64_t now = now_ns();
      auto due = static_cast<std::uint64_t>(static_cast<double>(now - begin) / ns_per_message) + 1;
      due = std::min(due, planned);
      for (; scheduled < due; ++scheduled) {
        const auto lag = now - begin -
                         static_cast<std::int64_t>(static_cast<double>(scheduled) * ns_per_message);
        t_.max_send_lag_ns = std::max(t_.max_send_lag_ns, lag);
        send_one(round_robin++ % conversations_.size());
      }
      next_tick += tick;
      timer.expires_at(next_tick);
      co_await timer.async_wait(boost::asio::use_awaitable);
    }
    t_.send_end_ns = now_ns();
  }

  // Each buyer keeps `window` messages in flight: finds the saturation throughput.
  awaitable<void> send_closed_loop(double seconds) {
    t_.send_begin_ns = now_ns();
    closed_loop_sending_ = true;
    for (std::size_t g = 0; g < conversations_.size(); ++g) {
      for (unsigned w = 0; w < o_.window; ++w) send_one(g);
    }
    co_await ctx_.sleep_for(std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9)));
    closed_loop_sending_ = false;
    t_.send_end_ns = now_ns();
  }

  // Counters only: a scan of every message each poll would cost more than the server's work.
  bool settled() const {
    return t_.acked + t_.refused == messages_.size() - measured_from_ &&
           capped_deliveries_ >= t_.acked * o_.tabs;
  }

  // Waits for outstanding acks and deliveries, up to the grace period.
  awaitable<void> drain() {
    const auto deadline = now_ns() + static_cast<std::int64_t>(o_.grace_s * 1e9);
    while (!settled() && now_ns() < deadline)
      co_await ctx_.sleep_for(std::chrono::milliseconds(10));
  }

  // Final counts of this thread, from the messages' records.
  void tally_up() {
    for (std::size_t seq = measured_from_; seq < messages_.size(); ++seq) {
      const auto& m = messages_[seq];
      t_.delivered += std::min<std::uint64_t>(m.deliveries, o_.tabs);
      if (m.ack == SentMessage::Ack::none) ++t_.unacked;
      if (m.ack == SentMessage::Ack::ok && m.deliveries < o_.tabs) {
        ++t_.lost;
        t_.lost_deliveries += o_.tabs - m.deliveries;
      }
    }
    const auto& cs = fleet_.connect_stats();
    t_.sent = messages_.size() - measured_from_;
    t_.clients = fleet_.size();
    t_.connected = cs.connected;
    t_.connect_failures = cs.failed;
    t_.dropped = fleet_.dropped();
    t_.conversations = conversations_.size();
    if (t_.first_error.empty()) t_.first_error = cs.first_failure;
    t_.first_drop = fleet_.first_drop();
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
  bool closed_loop_sending_ = false;
  std::uint64_t other_events_ = 0, foreign_messages_ = 0, unexpected_acks_ = 0;
  std::uint64_t capped_deliveries_ = 0;  // deliveries of measured messages, at most tabs each
  ConversationTally t_;
  PhaseBarrier& barrier_;
  Measurement& measurement_;
};

// Thread k's part: conversations (and the rate and the background sockets) in proportion,
// users of its own.
Options share_of(const Options& o, unsigned k) {
  const unsigned n = o.threads;
  const auto part = [&](unsigned total) { return total / n + (k < total % n ? 1u : 0u); };
  Options s = o;
  s.pairs = part(o.pairs);
  s.background = part(o.background);
  s.rate = o.rate * s.pairs / o.pairs;
  if (n > 1) s.user_prefix = o.user_prefix + "t" + std::to_string(k) + "-";
  return s;
}

void write_report(Report& r, const Options& o, const ConversationTally& t,
                  LatencyRecorder& ack_latency, LatencyRecorder& delivery_latency,
                  const Measurement& measurement) {
  const double send_s = static_cast<double>(t.send_end_ns - t.send_begin_ns) / 1e9;
  r.set("scenario", o.scenario);
  r.set("label", o.label);
  r.set("conversations", static_cast<std::int64_t>(o.pairs));
  r.set("tabs", static_cast<std::int64_t>(o.tabs));
  r.set("rate_target", o.rate);
  r.set("window", static_cast<std::int64_t>(o.rate > 0 ? 0 : o.window));
  r.set("message_size", static_cast<std::int64_t>(o.message_size));
  r.set("duration_s", o.duration_s);
  r.set("warmup_s", o.warmup_s);
  r.set("background", static_cast<std::int64_t>(o.background));
  r.set("loadgen_threads", static_cast<std::int64_t>(o.threads));
  r.set("clients", static_cast<std::int64_t>(t.clients));
  r.set("connected", static_cast<std::int64_t>(t.connected));
  r.set("connect_failures", static_cast<std::int64_t>(t.connect_failures));
  r.set("dropped", static_cast<std::int64_t>(t.dropped));
  r.set("rooms_ready", static_cast<std::int64_t>(t.rooms_answered - t.room_errors));
  r.set("sent", static_cast<std::int64_t>(t.sent));
  r.set("acked", static_cast<std::int64_t>(t.acked));
  r.set("refused", static_cast<std::int64_t>(t.refused));
  r.set("unacked", static_cast<std::int64_t>(t.unacked));
  r.set("delivered", static_cast<std::int64_t>(t.delivered));
  r.set("expected_deliveries", static_cast<std::int64_t>(t.acked * o.tabs));
  r.set("lost", static_cast<std::int64_t>(t.lost));
  r.set("lost_deliveries", static_cast<std::int64_t>(t.lost_deliveries));
  r.set("duplicates", static_cast<std::int64_t>(t.duplicates));
  r.set("out_of_order", static_cast<std::int64_t>(t.out_of_order));
  r.set("misdelivered", static_cast<std::int64_t>(t.misdelivered));
  r.set("echoes", static_cast<std::int64_t>(t.echoes));
  r.set("send_rate", send_s > 0 ? std::round(static_cast<double>(t.sent) / send_s) : 0.0);
  r.set("delivered_per_s", std::round(static_cast<double>(t.delivered) / measurement.seconds()));
  r.set("send_lag_max_us", static_cast<double>(t.max_send_lag_ns / 1000));
  r.set_latency("ack", ack_latency.summarize());
  r.set_latency("delivery", delivery_latency.summarize());
  measurement.write(r, static_cast<double>(t.delivered), "delivered");
  r.set("first_error", t.first_error);
  if (!t.first_drop.empty()) r.set("first_drop", t.first_drop);
  r.set("clean", t.clean());
}

}  // namespace

int run_conversations(const Options& options, const boost::asio::ip::tcp::endpoint& endpoint,
                      Report& report) {
  const unsigned n = options.threads;
  std::vector<Options> shares;
  for (unsigned k = 0; k < n; ++k) shares.push_back(share_of(options, k));
  std::vector<std::unique_ptr<RunContext>> contexts;
  for (const auto& share : shares)
    contexts.push_back(std::make_unique<RunContext>(share, endpoint));
  Measurement measurement(*contexts[0]);
  PhaseBarrier barrier(n);
  std::vector<std::unique_ptr<ConversationRun>> runs;
  for (auto& ctx : contexts)
    runs.push_back(std::make_unique<ConversationRun>(*ctx, barrier, measurement));

  std::vector<std::thread> workers;
  for (unsigned k = 0; k < n; ++k) {
    workers.emplace_back([&, k] {
      auto& io = contexts[k]->io;
      boost::asio::co_spawn(
          io,
          [&]() -> awaitable<void> {
            co_await runs[k]->run();
            io.stop();  // what is left (closed sockets' handlers) need not run
          },
          boost::asio::detached);
      io.run();
    });
  }
  for (auto& worker : workers) worker.join();

  ConversationTally& total = runs[0]->tally();
  for (unsigned k = 1; k < n; ++k) total.merge(std::move(runs[k]->tally()));
  write_report(report, options, total, total.ack_latency, total.delivery_latency, measurement);
  return options.strict && !total.clean() ? 1 : 0;
}

}  // namespace cz::loadgen
