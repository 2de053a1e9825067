#pragma once
// Asio's C++20 coroutine support, in one place. Boost 1.74's awaitable.hpp uses std::exchange
// without including <utility>, so it must come first.
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
