#include "cluster/msgpack.hpp"

#include <bit>
#include <cstring>

namespace cz::cluster::msgpack {

void Writer::be(std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) byte(static_cast<std::uint8_t>(v >> (8 * i)));
}

void Writer::nil() {
  byte(0xc0);
}
void Writer::boolean(bool v) {
  byte(v ? 0xc3 : 0xc2);
}

void Writer::unsigned_integer(std::uint64_t v) {
  if (v < 128) {
    byte(static_cast<std::uint8_t>(v));
  } else if (v <= 0xff) {
    byte(0xcc), be(v, 1);
  } else if (v <= 0xffff) {
    byte(0xcd), be(v, 2);
  } else if (v <= 0xffffffffULL) {
    byte(0xce), be(v, 4);
  } else {
    byte(0xcf), be(v, 8);
  }
}

void Writer::integer(std::int64_t v) {
  if (v >= 0) return unsigned_integer(static_cast<std::uint64_t>(v));
  auto u = static_cast<std::uint64_t>(v);
  if (v >= -32) {
    byte(static_cast<std::uint8_t>(v));
  } else if (v >= INT8_MIN) {
    byte(0xd0), be(u, 1);
  } else if (v >= INT16_MIN) {
    byte(0xd1), be(u, 2);
  } else if (v >= INT32_MIN) {
    byte(0xd2), be(u, 4);
  } else {
    byte(0xd3), be(u, 8);
  }
}

void Writer::float64(double v) {
  byte(0xcb), be(std::bit_cast<std::uint64_t>(v), 8);
}

void Writer::str(std::string_view s) {
  auto n = s.size();
  if (n < 32) {
    byte(static_cast<std::uint8_t>(0xa0 | n));
  } else if (n <= 0xff) {
    byte(0xd9), be(n, 1);
  } else if (n <= 0xffff) {
    byte(0xda), be(n, 2);
  } else {
    byte(0xdb), be(n, 4);
  }
  out_.append(s);
}

void Writer::bin(std::string_view b) {
  auto n = b.size();
  if (n <= 0xff) {
    byte(0xc4), be(n, 1);
  } else if (n <= 0xffff) {
    byte(0xc5), be(n, 2);
  } else {
    byte(0xc6), be(n, 4);
  }
  out_.append(b);
}

void Writer::array(std::uint32_t n) {
  if (n < 16) {
    byte(static_cast<std::uint8_t>(0x90 | n));
  } else if (n <= 0xffff) {
    byte(0xdc), be(n, 2);
  } else {
    byte(0xdd), be(n, 4);
  }
}

void Writer::map(std::uint32_t n) {
  if (n < 16) {
    byte(static_cast<std::uint8_t>(0x80 | n));
  } else if (n <= 0xffff) {
    byte(0xde), be(n, 2);
  } else {
    byte(0xdf), be(n, 4);
  }
}

bool Reader::take(std::size_t n, const char*& at) {
  if (static_cast<std::size_t>(end_ - p_) < n) return false;
  at = p_;
  p_ += n;
  return true;
}

bool Reader::be(int bytes, std::uint64_t& v) {
  const char* at;
  if (!take(static_cast<std::size_t>(bytes), at)) return false;
  v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<std::uint8_t>(at[i]);
  return true;
}

bool Reader::next(Item& item) {
  const char* at;
  if (!take(1, at)) return false;
  auto b = static_cast<std::uint8_t>(*at);
  std::uint64_t v = 0;
  auto payload = [&](Kind kind, std::uint64_t n) {
    const char* data;
    if (!take(n, data)) return false;
    item.kind = kind;
    item.bytes = std::string_view(data, n);
    return true;
  };
  auto sized = [&](Kind kind, int len_bytes) { return be(len_bytes, v) && payload(kind, v); };
  auto container = [&](Kind kind, std::uint64_t n) {
    item.kind = kind;
    item.count = static_cast<std::uint32_t>(n);
    return true;
  };
  auto uint_of = [&](int bytes) {
    if (!be(bytes, v)) return false;
    item.kind = Kind::UInt;
    item.uint_value = v;
    return true;
  };
  auto int_of = [&](int bytes) {
    if (!be(bytes, v)) return false;
    int shift = 64 - 8 * bytes;  // sign-extend
    item.kind = Kind::Int;
    item.int_value = static_cast<std::int64_t>(v << shift) >> shift;
    return true;
  };
  auto ext_of = [&](std::uint64_t n) {
    const char* type;
    if (!take(1, type)) return false;
    item.ext_type = static_cast<std::int8_t>(*type);
    return payload(Kind::Ext, n);
  };
  if (b < 0x80) return item.kind = Kind::UInt, item.uint_value = b, true;
  if (b >= 0xe0) return item.kind = Kind::Int, item.int_value = static_cast<std::int8_t>(b), true;
  if ((b & 0xf0) == 0x80) return container(Kind::Map, b & 0x0f);
  if ((b & 0xf0) == 0x90) return container(Kind::Array, b & 0x0f);
  if ((b & 0xe0) == 0xa0) return payload(Kind::Str, b & 0x1f);
  switch (b) {
    case 0xc0:
      item.kind = Kind::Nil;
      return true;
    case 0xc2:
      item.kind = Kind::Bool, item.boolean = false;
      return true;
    case 0xc3:
      item.kind = Kind::Bool, item.boolean = true;
      return true;
    case 0xc4:
      return sized(Kind::Bin, 1);
    case 0xc5:
      return sized(Kind::Bin, 2);
    case 0xc6:
      return sized(Kind::Bin, 4);
    case 0xc7:
      return be(1, v) && ext_of(v);
    case 0xc8:
      return be(2, v) && ext_of(v);
    case 0xc9:
      return be(4, v) && ext_of(v);
    case 0xca: {
      if (!be(4, v)) return false;
      item.kind = Kind::Float;
      item.float_value = std::bit_cast<float>(static_cast<std::uint32_t>(v));
      return true;
    }
    case 0xcb: {
      if (!be(8, v)) return false;
      item.kind = Kind::Float;
      item.float_value = std::bit_cast<double>(v);
      return true;
    }
    case 0xcc:
      return uint_of(1);
    case 0xcd:
      return uint_of(2);
    case 0xce:
      return uint_of(4);
    case 0xcf:
      return uint_of(8);
    case 0xd0:
      return int_of(1);
    case 0xd1:
      return int_of(2);
    case 0xd2:
      return int_of(4);
    case 0xd3:
      return int_of(8);
    case 0xd4:
      return ext_of(1);
    case 0xd5:
      return ext_of(2);
    case 0xd6:
      return ext_of(4);
    case 0xd7:
      return ext_of(8);
    case 0xd8:
      return ext_of(16);
    case 0xd9:
      return sized(Kind::Str, 1);
    case 0xda:
      return sized(Kind::Str, 2);
    case 0xdb:
      return sized(Kind::Str, 4);
    case 0xdc:
      return be(2, v) && container(Kind::Array, v);
    case 0xdd:
      return be(4, v) && container(Kind::Array, v);
    case 0xde:
      return be(2, v) && container(Kind::Map, v);
    case 0xdf:
      return be(4, v) && container(Kind::Map, v);
    default:
      return false;  // 0xc1 is never used
  }
}

bool Reader::skip(int depth) {
  if (depth > 64) return false;
  Item item;
  if (!next(item)) return false;
  std::uint64_t children = item.kind == Kind::Array ? item.count
                           : item.kind == Kind::Map ? 2ULL * item.count
                                                    : 0;
  for (std::uint64_t i = 0; i < children; ++i) {
    if (!skip(depth + 1)) return false;
  }
  return true;
}

}  // namespace cz::cluster::msgpack
