#include "util/time.hpp"

#include <chrono>
#include <cstdio>

namespace cz {
namespace {

constexpr TimeMs kMsPerDay = 86'400'000;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

// Inverse of days_from_civil.
Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

bool is_leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// A tiny cursor over the text: reads fixed-width digit fields and single characters.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool digits(std::size_t width, unsigned& out) {
    if (text_.size() - pos_ < width) return false;
    unsigned value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      const char c = text_[pos_ + i];
      if (c < '0' || c > '9') return false;
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    pos_ += width;
    out = value;
    return true;
  }
  bool take(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool take_any(std::string_view chars) {
    if (pos_ < text_.size() && chars.find(text_[pos_]) != std::string_view::npos) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool at_end() const { return pos_ == text_.size(); }
  bool at_digit() const { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// ".123456" -> 123 (milliseconds); at least one digit, the rest truncated.
bool parse_fraction(Scanner& in, unsigned& ms) {
  if (!in.take('.') && !in.take(',')) return true;
  if (!in.at_digit()) return false;
  unsigned scale = 100;
  ms = 0;
  while (in.at_digit()) {
    unsigned digit = 0;
    in.digits(1, digit);
    ms += digit * scale;
    scale /= 10;
  }
  return true;
}

// "Z", "+HH:MM", "-HH:MM" or "+HHMM" -> offset east of UTC in minutes.
bool parse_offset(Scanner& in, int& minutes) {
  if (in.take_any("Zz")) {
    minutes = 0;
    return true;
  }
  int sign = 0;
  if (in.take('+'))
    sign = 1;
  else if (in.take('-'))
    sign = -1;
  else
    return false;
  unsigned hh = 0, mm = 0;
  if (!in.digits(2, hh)) return false;
  in.take(':');
  if (!in.digits(2, mm) || hh > 23 || mm > 59) return false;
  minutes = sign * static_cast<int>(hh * 60 + mm);
  return true;
}

}  // namespace

TimeMs now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_iso8601(TimeMs ms) {
  static const TimeMs kMin = days_from_civil(0, 1, 1) * kMsPerDay;
  static const TimeMs kMax = days_from_civil(10000, 1, 1) * kMsPerDay - 1;
  if (ms < kMin) ms = kMin;
  if (ms > kMax) ms = kMax;
  TimeMs days = ms / kMsPerDay;
  TimeMs in_day = ms % kMsPerDay;
  if (in_day < 0) {  // floor division for times before 1970
    in_day += kMsPerDay;
    --days;
  }
  const Civil date = civil_from_days(days);
  const auto hour = static_cast<int>(in_day / 3'600'000);
  const auto minute = static_cast<int>(in_day / 60'000 % 60);
  const auto second = static_cast<int>(in_day / 1000 % 60);
  const auto milli = static_cast<int>(in_day % 1000);
  char buf[32];
  const int n =
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                    static_cast<int>(date.year), date.month, date.day, hour, minute, second, milli);
  return std::string(buf, static_cast<std::size_t>(n));
}

std::optional<TimeMs> parse_iso8601(std::string_view text) {
  Scanner in(text);
  unsigned year = 0, month = 0, day = 0;
  if (!in.digits(4, year) || !in.take('-') || !in.digits(2, month) || !in.take('-') ||
      !in.digits(2, day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  const TimeMs date_ms = days_from_civil(year, month, day) * kMsPerDay;
  if (in.at_end()) return date_ms;

  unsigned hour = 0, minute = 0, second = 0, milli = 0;
  if (!in.take_any("Tt ") || !in.digits(2, hour) || !in.take(':') || !in.digits(2, minute)) {
    return std::nullopt;
  }
  if (in.take(':') && (!in.digits(2, second) || !parse_fraction(in, milli))) return std::nullopt;
  int offset_minutes = 0;
  if (!parse_offset(in, offset_minutes) || !in.at_end()) return std::nullopt;
  // 24:00:00 is not accepted; a leap second (":60") is not representable in epoch time either.
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  return date_ms + hour * 3'600'000LL + minute * 60'000LL + second * 1000LL + milli -
         offset_minutes * 60'000LL;
}

std::optional<TimeMs> parse_time(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::size_t i = text[0] == '-' ? 1 : 0;
  if (i < text.size() && text.size() - i <= 15) {  // 15 digits: beyond year 30000, no overflow
    bool all_digits = true;
    TimeMs value = 0;
    for (std::size_t k = i; k < text.size() && all_digits; ++k) {
      all_digits = text[k] >= '0' && text[k] <= '9';
      value = value * 10 + (text[k] - '0');
    }
    if (all_digits) return i ? -value : value;
  }
  return parse_iso8601(text);
}

}  // namespace cz
