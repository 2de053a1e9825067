#pragma once
// The store layer's own metrics (util/metrics.hpp). Queue depths and transaction counts are
// read from Store::stats() at scrape time instead (app/ops.cpp).
#include "util/metrics.hpp"

namespace cz::store {

// Seconds each successful COMMIT of a write batch took (the writer thread observes it).
metrics::Histogram& commit_latency();

}  // namespace cz::store
