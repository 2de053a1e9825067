#pragma once
// The messenger's metrics (util/metrics.hpp), looked up once: messages stored, and refusals
// sent to clients by error code.
#include <string_view>

#include "util/metrics.hpp"

namespace cz::messenger {

enum class Api { Socket, Rest };

struct MessengerMetrics {
  // New messages committed (retries recognised by client_message_id are not counted again).
  metrics::Counter& stored_socket;
  metrics::Counter& stored_rest;
  metrics::Counter& stored(Api api) const {
    return api == Api::Socket ? stored_socket : stored_rest;
  }
  // cz_errors_total{api, code}: one series per code this server can send, "other" for the rest.
  metrics::Counter& error(Api api, std::string_view code) const;
};

const MessengerMetrics& messenger_metrics();

}  // namespace cz::messenger
