#include "util/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace cz::metrics {
namespace {

// The lines of `text` that start with `prefix`.
std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    auto line = text.substr(start, end - start);
    if (line.rfind(prefix, 0) == 0) out.push_back(line);
    start = end + 1;
  }
  return out;
}

TEST(Metrics, CountersSumEveryThreadsIncrements) {
  Counter counter;
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t)  // more threads than slots: some share one
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) counter.inc();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter.value(), 120000u);
  counter.inc(5);
  EXPECT_EQ(counter.value(), 120005u);
}

TEST(Metrics, GaugesGoUpAndDownFromDifferentThreads) {
  Gauge gauge;
  std::thread up([&] {
    for (int i = 0; i < 1000; ++i) gauge.add();
  });
  up.join();
  std::thread down([&] {
    for (int i = 0; i < 400; ++i) gauge.sub();
  });
  down.join();
  EXPECT_EQ(gauge.value(), 600);
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Histogram h({0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 2.0, 20.0}) h.observe(v);
  const auto s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<std::uint64_t>{2, 3, 4, 5}))
      << "a value equal to a bound is in that bound's bucket (le)";
  EXPECT_DOUBLE_EQ(s.sum, 22.65);
  EXPECT_THROW(Histogram({1, 1}), std::logic_error);
}

TEST(Metrics, RendersTheTextFormat) {
  Registry r;
  r.counter("t_events_total", "Events\nseen", {{"event", "a\"b\\c\nd"}}).inc(3);
  r.gauge("t_depth", "Depth").add(-2);
  r.histogram("t_seconds", "Latency", {0.5, 1}).observe(0.75);
  auto handle =
      r.add_callback(Type::Gauge, "t_read", "Read at scrape", {{"k", "v"}}, [] { return 1.5; });
  const std::string text = r.render();
  EXPECT_EQ(lines_starting(text, "# HELP t_events_total"),
            std::vector<std::string>{"# HELP t_events_total Events\\nseen"});
  EXPECT_EQ(lines_starting(text, "# TYPE t_events_total"),
            std::vector<std::string>{"# TYPE t_events_total counter"});
  EXPECT_EQ(lines_starting(text, "t_events_total"),
            std::vector<std::string>{"t_events_total{event=\"a\\\"b\\\\c\\nd\"} 3"});
  EXPECT_EQ(lines_starting(text, "t_depth"), std::vector<std::string>{"t_depth -2"});
  EXPECT_EQ(lines_starting(text, "t_seconds"),
            (std::vector<std::string>{
                "t_seconds_bucket{le=\"0.5\"} 0", "t_seconds_bucket{le=\"1\"} 1",
                "t_seconds_bucket{le=\"+Inf\"} 1", "t_seconds_sum 0.75", "t_seconds_count 1"}));
  EXPECT_EQ(lines_starting(text, "t_read"), std::vector<std::string>{"t_read{k=\"v\"} 1.5"});
  EXPECT_EQ(text.back(), '\n');
}

TEST(Metrics, TheSameNameAndLabelsGiveTheSameSeries) {
  Registry r;
  Counter& a = r.counter("t_total", "help", {{"x", "1"}});
  Counter& b = r.counter("t_total", "help", {{"x", "1"}});
  Counter& c = r.counter("t_total", "help", {{"x", "2"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  EXPECT_THROW(r.gauge("t_total", "help", {{"x", "1"}}), std::logic_error) << "another type";
  EXPECT_THROW(r.counter("t_total", "help", {{"y", "1"}}), std::logic_error) << "other labels";
  EXPECT_THROW(r.counter("t-total", "help"), std::logic_error) << "not a metric name";
  EXPECT_THROW(r.counter("t_ok", "help", {{"__x", "1"}}), std::logic_error) << "reserved label";
}

TEST(Metrics, ACallbackGoesAwayWithItsHandle) {
  Registry r;
  auto handle = r.add_callback(Type::Counter, "t_calls_total", "help", {}, [] { return 7.0; });
  EXPECT_EQ(lines_starting(r.render(), "t_calls_total"),
            std::vector<std::string>{"t_calls_total 7"});
  EXPECT_THROW((void)r.add_callback(Type::Counter, "t_calls_total", "help", {}, [] { return 1.0; }),
               std::logic_error);
  handle.reset();
  EXPECT_TRUE(lines_starting(r.render(), "t_calls_total").empty());
  EXPECT_EQ(lines_starting(r.render(), "# TYPE t_calls_total").size(), 1u)
      << "the family stays, without samples";
}

}  // namespace
}  // namespace cz::metrics
