#include "store/metrics.hpp"

namespace cz::store {

metrics::Histogram& commit_latency() {
  static metrics::Histogram& histogram = metrics::registry().histogram(
      "cz_store_commit_seconds",
      "Time of each COMMIT of a write batch (group commit), in seconds; every write of the "
      "batch waits that long for its acknowledgement",
      metrics::latency_buckets());
  return histogram;
}

}  // namespace cz::store
