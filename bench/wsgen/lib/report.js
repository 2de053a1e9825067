'use strict';
// The result of a run: the keys of cz-loadgen's write_report (scenario_conversation.cpp), in
// the same order, so that bench/compare.js and any script read both generators alike; plus
// "generator" to tell them apart.
const { isClean } = require('./tally');

function setLatency(r, prefix, s) {
  r[`${prefix}_count`] = s.count;
  r[`${prefix}_p50_us`] = s.p50_us;
  r[`${prefix}_p90_us`] = s.p90_us;
  r[`${prefix}_p99_us`] = s.p99_us;
  r[`${prefix}_p999_us`] = s.p999_us;
  r[`${prefix}_max_us`] = s.max_us;
  r[`${prefix}_mean_us`] = Math.round(s.mean_us * 10) / 10;
}

function buildReport(o, t, ackSummary, deliverySummary, measurement) {
  const sendS = (t.send_end_ns - t.send_begin_ns) / 1e9;
  const r = {
    scenario: o.scenario,
    label: o.label,
    generator: 'wsgen',
    conversations: o.pairs,
    tabs: o.tabs,
    rate_target: o.rate,
    window: o.rate > 0 ? 0 : o.window,
    message_size: o.messageSize,
    duration_s: o.duration,
    warmup_s: o.warmup,
    background: o.background,
    loadgen_threads: o.threads,
    clients: t.clients,
    connected: t.connected,
    connect_failures: t.connect_failures,
    dropped: t.dropped,
    rooms_ready: t.rooms_answered - t.room_errors,
    sent: t.sent,
    acked: t.acked,
    refused: t.refused,
    unacked: t.unacked,
    delivered: t.delivered,
    expected_deliveries: t.acked * o.tabs,
    lost: t.lost,
    lost_deliveries: t.lost_deliveries,
    duplicates: t.duplicates,
    out_of_order: t.out_of_order,
    misdelivered: t.misdelivered,
    echoes: t.echoes,
    send_rate: sendS > 0 ? Math.round(t.sent / sendS) : 0,
    delivered_per_s: Math.round(t.delivered / measurement.seconds()),
    send_lag_max_us: Math.floor(t.max_send_lag_ns / 1000),
  };
  setLatency(r, 'ack', ackSummary);
  setLatency(r, 'delivery', deliverySummary);
  measurement.write(r, t.delivered, 'delivered');
  r.first_error = t.first_error;
  if (t.first_drop) r.first_drop = t.first_drop;
  r.clean = isClean(t);
  return r;
}

// The human table of cz-loadgen's Report::table: one key per line, null as "-".
function table(r) {
  const width = Math.max(...Object.keys(r).map((k) => k.length));
  const text = (v) => (v === null || v === undefined ? '-' : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v));
  return Object.entries(r)
    .map(([k, v]) => `  ${k.padEnd(width + 2)}${text(v)}\n`)
    .join('');
}

module.exports = { buildReport, table };
