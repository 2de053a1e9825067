#include "util/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <stdexcept>

namespace cz::metrics {

std::size_t assign_thread_slot() noexcept {
  static std::atomic<std::size_t> next{0};
  return next.fetch_add(1, std::memory_order_relaxed) % kSlots;
}

std::uint64_t Counter::value() const noexcept {
  std::uint64_t sum = 0;
  for (const auto& slot : slots_) sum += slot.value.load(std::memory_order_relaxed);
  return sum;
}

std::int64_t Gauge::value() const noexcept {
  std::int64_t sum = 0;
  for (const auto& slot : slots_) sum += slot.value.load(std::memory_order_relaxed);
  return sum;
}

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end())
    throw std::logic_error("histogram bucket bounds must increase");
  buckets_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
}

void Histogram::observe(double value) noexcept {
  // Few buckets: a linear scan beats a binary search's branches.
  std::size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.upper_bounds = bounds_;
  s.cumulative.reserve(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> latency_buckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

// --- Registry ---------------------------------------------------------------------------------

namespace {

// Label values: backslash, double quote and line feed are escaped (format 0.0.4).
void append_escaped(std::string& out, std::string_view text, bool escape_quotes) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// Metric and label names: [a-zA-Z_:][a-zA-Z0-9_:]* (labels without ':').
bool valid_name(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(letter || (digit && i > 0) || (c == ':' && allow_colon))) return false;
  }
  return true;
}

// `{a="x",b="y"}` (empty for no labels), optionally with one more pair at the end (`le`).
std::string label_text(const Labels& labels, std::string_view extra_name = {},
                       std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return {};
  std::string out = "{";
  auto add = [&](std::string_view name, std::string_view value) {
    if (out.size() > 1) out += ',';
    out += name;
    out += "=\"";
    append_escaped(out, value, true);
    out += '"';
  };
  for (const auto& [name, value] : labels) add(name, value);
  if (!extra_name.empty()) add(extra_name, extra_value);
  out += '}';
  return out;
}

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Integral values as integers (counts), others in the shortest form that reads back exactly.
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    return fmt::format("{}", static_cast<long long>(v));
  return fmt::format("{}", v);
}

const char* type_name(Type type) {
  switch (type) {
    case Type::Counter:
      return "counter";
    case Type::Gauge:
      return "gauge";
    case Type::Histogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

struct Registry::Series {
  Labels labels;
  std::string label_text;
  std::unique_ptr<Counter> counter;
  std::unique_ptr<Gauge> gauge;
  std::unique_ptr<Histogram> histogram;
  Callback callback;
};

struct Registry::Family {
  std::string name;
  std::string help;
  Type type;
  std::vector<std::string> label_names;
  std::map<std::string, std::unique_ptr<Series>> series;  // by label text: stable output order
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Family& Registry::family(std::string_view name, std::string_view help, Type type,
                                   const Labels& labels) {
  std::vector<std::string> label_names;
  for (const auto& [label, value] : labels) {
    if (!valid_name(label, false) || label.starts_with("__") ||
        (type == Type::Histogram && label == "le"))
      throw std::logic_error(fmt::format("metric {}: invalid label name '{}'", name, label));
    label_names.push_back(label);
  }
  if (auto it = by_name_.find(name); it != by_name_.end()) {
    Family& f = *it->second;
    if (f.type != type || f.label_names != label_names)
      throw std::logic_error(fmt::format("metric {} registered twice, differently", name));
    return f;
  }
  if (!valid_name(name, true))
    throw std::logic_error(fmt::format("invalid metric name '{}'", name));
  auto f = std::make_unique<Family>();
  f->name = name;
  f->help = help;
  f->type = type;
  f->label_names = std::move(label_names);
  Family& ref = *f;
  by_name_.emplace(ref.name, &ref);
  families_.push_back(std::move(f));
  return ref;
}

Registry::Series& Registry::series(Family& family, const Labels& labels) {
  auto key = label_text(labels);
  auto& slot = family.series[key];
  if (!slot) {
    slot = std::make_unique<Series>();
    slot->labels = labels;
    slot->label_text = std::move(key);
  }
  return *slot;
}

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  Series& s = series(family(name, help, Type::Counter, labels), labels);
  if (s.callback) throw std::logic_error(fmt::format("metric {}: already a callback", name));
  if (!s.counter) s.counter = std::make_unique<Counter>();
  return *s.counter;
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  Series& s = series(family(name, help, Type::Gauge, labels), labels);
  if (s.callback) throw std::logic_error(fmt::format("metric {}: already a callback", name));
  if (!s.gauge) s.gauge = std::make_unique<Gauge>();
  return *s.gauge;
}

Histogram& Registry::histogram(std::string_view name, std::string_view help,
                               std::vector<double> upper_bounds, const Labels& labels) {
  std::lock_guard lock(mutex_);
  Series& s = series(family(name, help, Type::Histogram, labels), labels);
  if (!s.histogram) s.histogram = std::make_unique<Histogram>(std::move(upper_bounds));
  return *s.histogram;
}

std::shared_ptr<void> Registry::add_callback(Type type, std::string_view name,
                                             std::string_view help, const Labels& labels,
                                             Callback read) {
  if (type == Type::Histogram) throw std::logic_error("histogram callbacks are not supported");
  std::lock_guard lock(mutex_);
  Family& f = family(name, help, type, labels);
  Series& s = series(f, labels);
  if (s.counter || s.gauge || s.callback)
    throw std::logic_error(fmt::format("metric {}{} registered twice", name, s.label_text));
  s.callback = std::move(read);
  // The handle unregisters the callback; the registry outlives every handle (it is never
  // destroyed before exit, see registry()).
  return std::shared_ptr<void>(nullptr, [this, family = f.name, key = s.label_text](void*) {
    remove_callback(family, key);
  });
}

void Registry::remove_callback(const std::string& family, const std::string& label_key) {
  std::lock_guard lock(mutex_);
  auto f = by_name_.find(family);
  if (f == by_name_.end()) return;
  f->second->series.erase(label_key);
}

std::string Registry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  out.reserve(16 * 1024);
  for (const auto& f : families_) {
    out += "# HELP ";
    out += f->name;
    out += ' ';
    append_escaped(out, f->help, false);
    out += "\n# TYPE ";
    out += f->name;
    out += ' ';
    out += type_name(f->type);
    out += '\n';
    for (const auto& [key, s] : f->series) {
      if (s->histogram) {
        const auto snap = s->histogram->snapshot();
        for (std::size_t i = 0; i <= snap.upper_bounds.size(); ++i) {
          const bool inf = i == snap.upper_bounds.size();
          const std::string le = inf ? "+Inf" : number(snap.upper_bounds[i]);
          fmt::format_to(std::back_inserter(out), "{}_bucket{} {}\n", f->name,
                         label_text(s->labels, "le", le), snap.cumulative[i]);
        }
        fmt::format_to(std::back_inserter(out), "{}_sum{} {}\n{}_count{} {}\n", f->name,
                       s->label_text, number(snap.sum), f->name, s->label_text,
                       snap.cumulative.back());
        continue;
      }
      double value = 0;
      if (s->counter) {
        value = static_cast<double>(s->counter->value());
      } else if (s->gauge) {
        value = static_cast<double>(s->gauge->value());
      } else if (s->callback) {
        value = s->callback();
      }
      fmt::format_to(std::back_inserter(out), "{}{} {}\n", f->name, s->label_text, number(value));
    }
  }
  return out;
}

Registry& registry() {
  // Never destroyed: threads still running during static destruction (a store's writer being
  // joined) may still increment what they hold.
  static Registry* instance = new Registry();
  return *instance;
}

}  // namespace cz::metrics
