#pragma once
// A minimal MessagePack writer and reader: just what the Redis adapter's wire format needs
// (nil, bool, ints, float64, str, bin, array, map; ext read only to skip or map `undefined`).
// Pure functions over bytes; no allocation beyond the output string.
#include <cstdint>
#include <string>
#include <string_view>

namespace cz::cluster::msgpack {

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void nil();
  void boolean(bool v);
  void integer(std::int64_t v);
  void unsigned_integer(std::uint64_t v);
  void float64(double v);
  void str(std::string_view s);
  void bin(std::string_view b);
  void array(std::uint32_t count);
  void map(std::uint32_t count);

 private:
  void byte(std::uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void be(std::uint64_t v, int bytes);
  std::string& out_;
};

enum class Kind { Nil, Bool, Int, UInt, Float, Str, Bin, Array, Map, Ext };

// One value header; for Str/Bin/Ext `bytes` is the payload, for Array/Map `count` the number
// of elements (a map has 2*count values after it).
struct Item {
  Kind kind = Kind::Nil;
  bool boolean = false;
  std::int64_t int_value = 0;
  std::uint64_t uint_value = 0;
  double float_value = 0;
  std::string_view bytes;
  std::uint32_t count = 0;
  std::int8_t ext_type = 0;
};

class Reader {
 public:
  explicit Reader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}
  // Reads the next header; false on truncated or unsupported input.
  bool next(Item& item);
  // Skips one complete value (nested arrays/maps included).
  bool skip(int depth = 0);
  bool at_end() const { return p_ == end_; }

 private:
  bool take(std::size_t n, const char*& at);
  bool be(int bytes, std::uint64_t& v);
  const char* p_;
  const char* end_;
};

}  // namespace cz::cluster::msgpack
