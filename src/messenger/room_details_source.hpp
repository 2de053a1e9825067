#pragma once
// Where a new room's shop and buyer details come from besides the client: the marketplace's
// services in the original service (see messenger/lookup.hpp for the HTTP implementation). Kept as
// a plain function type so that the socket handlers do not depend on how details are fetched.
#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>

#include "store/store.hpp"

namespace cz::messenger {

// Fills in `room`'s shop_json / buyer_info_json where it can, then calls `done` exactly once,
// on `executor`. Leaves them as they are when it has nothing (a service down or too slow).
using RoomDetailsSource =
    std::function<void(std::shared_ptr<store::CreateRoom> room,
                       boost::asio::any_io_executor executor, std::function<void()> done)>;

}  // namespace cz::messenger
