#pragma once
// The scenarios. Each fills `report` and returns the process exit status (non-zero only in
// --strict mode, when something was lost, refused or failed).
#include "report.hpp"
#include "run_context.hpp"

namespace cz::loadgen {

// pairs (tabs = 1) and fanout (one receiving user with several tabs): buyers send
// new_message to their sellers. Runs --threads event loops (threads of its own) and blocks.
int run_conversations(const Options& options, const boost::asio::ip::tcp::endpoint& endpoint,
                      Report& report);
// N sockets connected and held; server RSS per connection.
awaitable<int> run_idle(RunContext& ctx, Report& report);
// N sockets connecting at once; connections per second.
awaitable<int> run_connect_storm(RunContext& ctx, Report& report);

}  // namespace cz::loadgen
