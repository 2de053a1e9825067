#pragma once
// UTF-8 well-formedness (RFC 3629), shared by everything that accepts text from a client and by
// what sends text to one: a WebSocket text frame must be valid UTF-8, and a client that receives
// one that is not closes its connection (socket.io-client reports "transport error").
#include <string>
#include <string_view>

namespace cz::utf8 {

// No overlong forms, no surrogates (a lone `\udc00` JSON escape decodes to one), nothing above
// U+10FFFF, no truncated sequence. ASCII is checked eight bytes at a time.
bool is_valid(std::string_view text);

// Replaces every ill-formed sequence of `text` with U+FFFD (one per maximal invalid subpart, as
// the Unicode standard recommends) and returns whether anything was replaced. Valid text is left
// untouched and costs one is_valid() pass.
bool repair(std::string& text);

}  // namespace cz::utf8
