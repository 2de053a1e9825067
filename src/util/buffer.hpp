#pragma once
// Immutable byte buffers shared between connections.
//
// A broadcast encodes its packet once; every recipient's send queue holds a reference to the
// same bytes, so fan-out costs one refcount per recipient instead of one copy.
#include <memory>
#include <string>

namespace cz {

using SharedBuffer = std::shared_ptr<const std::string>;

inline SharedBuffer make_buffer(std::string bytes) {
  return std::make_shared<const std::string>(std::move(bytes));
}

}  // namespace cz
