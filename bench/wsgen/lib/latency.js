'use strict';
// Latency samples in units of 100 ns (as cz-loadgen's LatencyRecorder), in a growable
// Uint32Array: no per-sample object, and the array can be handed from a worker to the main
// thread without copying. Exact nearest-rank percentiles, computed once at the end.

class LatencyRecorder {
  constructor(capacity = 1024) {
    this.samples = new Uint32Array(Math.max(16, capacity));
    this.count = 0;
  }

  addNs(ns) {
    if (this.count === this.samples.length) {
      const bigger = new Uint32Array(this.samples.length * 2);
      bigger.set(this.samples);
      this.samples = bigger;
    }
    this.samples[this.count++] = ns < 0 ? 0 : Math.min(0xffffffff, Math.floor(ns / 100));
  }

  // The samples alone (a view of count elements), for merging.
  used() {
    return this.samples.subarray(0, this.count);
  }
}

// Nearest-rank percentile of sorted samples (100 ns units), q in [0, 1]; in µs.
function percentileOfSorted(sorted, q) {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(q * sorted.length);
  const index = rank === 0 ? 0 : Math.min(rank - 1, sorted.length - 1);
  return sorted[index] / 10;
}

// Merges the sample arrays of every worker and summarizes them.
function summarize(parts) {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint32Array(total);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  all.sort();
  const s = { count: total, p50_us: 0, p90_us: 0, p99_us: 0, p999_us: 0, max_us: 0, mean_us: 0 };
  if (total === 0) return s;
  s.p50_us = percentileOfSorted(all, 0.5);
  s.p90_us = percentileOfSorted(all, 0.9);
  s.p99_us = percentileOfSorted(all, 0.99);
  s.p999_us = percentileOfSorted(all, 0.999);
  s.max_us = all[total - 1] / 10;
  let sum = 0;
  for (let i = 0; i < total; i++) sum += all[i];
  s.mean_us = sum / 10 / total;
  return s;
}

module.exports = { LatencyRecorder, percentileOfSorted, summarize };
