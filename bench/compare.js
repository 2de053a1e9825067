'use strict';
// Reads the JSON lines of a bench/run.sh session and prints, per run, ours and the baseline
// side by side with the ratio ours/baseline; optionally appends the same as Markdown to
// RESULTS.md.
//   node compare.js --results FILE [--machine TEXT] [--meta TEXT] [--append RESULTS.md]
const fs = require('node:fs');

const COMMON_MESSAGE_METRICS = [
  ['sent', 'messages sent (measured window)'],
  ['lost', 'lost (acked, never delivered)', 'lower'],
  ['unacked', 'unacked', 'lower'],
  ['delivered_per_s', 'deliveries/s', 'higher'],
  ['server_cpu_us_per_delivered', 'server CPU µs per delivery', 'lower'],
  ['server_cpu_pct', 'server CPU % (of one core)'],
  ['ack_p50_us', 'ack latency p50 µs', 'lower'],
  ['ack_p99_us', 'ack latency p99 µs', 'lower'],
  ['delivery_p50_us', 'delivery latency p50 µs', 'lower'],
  ['delivery_p90_us', 'delivery latency p90 µs', 'lower'],
  ['delivery_p99_us', 'delivery latency p99 µs', 'lower'],
  ['delivery_max_us', 'delivery latency max µs', 'lower'],
  ['server_rss_max_kib', 'server RSS max KiB', 'lower'],
  ['loadgen_cpu_pct', 'load generator CPU %'],
];

const METRICS = {
  pairs: COMMON_MESSAGE_METRICS,
  fanout: COMMON_MESSAGE_METRICS,
  idle: [
    ['connected', 'connected sockets'],
    ['connect_failures', 'connect failures', 'lower'],
    ['server_rss_per_connection_bytes', 'server RSS per connection, bytes', 'lower'],
    ['server_rss_marginal_per_connection_bytes', 'server RSS per further connection, bytes', 'lower'],
    ['server_rss_connected_kib', 'server RSS with all connected, KiB', 'lower'],
    ['server_rss_projected_100k_mib', 'projected RSS at 100k, MiB (linear)', 'lower'],
    ['server_cpu_us_per_connection_second', 'server CPU µs per connection-second idle', 'lower'],
    ['connections_per_s', 'connections/s (paced)', 'higher'],
  ],
  'connect-storm': [
    ['connected', 'connected sockets'],
    ['connect_failures', 'connect failures', 'lower'],
    ['connections_per_s', 'connections/s', 'higher'],
    ['server_cpu_us_per_connection', 'server CPU µs per connection', 'lower'],
    ['connect_p50_us', 'connect latency p50 µs', 'lower'],
    ['connect_p99_us', 'connect latency p99 µs', 'lower'],
    ['server_rss_end_kib', 'server RSS after, KiB', 'lower'],
  ],
};

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  if (!args.results) throw new Error('--results FILE is required');
  return args;
}

function format(v) {
  if (v === undefined || v === null) return '–';
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v) || Math.abs(v) >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(3);
}

function ratio(ours, node) {
  if (typeof ours !== 'number' || typeof node !== 'number' || node === 0) return '–';
  const r = ours / node;
  return r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(2) : r.toPrecision(2);
}

function rowsFor(run, byServer) {
  const first = byServer.ours || byServer.node;
  const metrics = METRICS[first.scenario] || [];
  return metrics.map(([key, label, better]) => {
    const ours = byServer.ours && byServer.ours[key];
    const node = byServer.node && byServer.node[key];
    const hint = better === 'lower' ? ' (lower is better)' : better === 'higher' ? ' (higher is better)' : '';
    return { label: label + hint, ours: format(ours), node: format(node), ratio: ratio(ours, node) };
  });
}

function textTable(runName, args, rows) {
  const widths = [
    Math.max(6, ...rows.map((r) => r.label.length)),
    Math.max(4, ...rows.map((r) => r.ours.length)),
    Math.max(4, ...rows.map((r) => r.node.length)),
  ];
  const line = (a, b, c, d) => `  ${a.padEnd(widths[0])}  ${b.padStart(widths[1])}  ${c.padStart(widths[2])}  ${d.padStart(9)}`;
  const out = [`\n${runName}: ${args}`, line('metric', 'ours', 'node', 'ours/node')];
  for (const r of rows) out.push(line(r.label, r.ours, r.node, r.ratio));
  return out.join('\n');
}

// Why a run is not clean, in a few words.
function problems(result) {
  const counts = ['lost', 'unacked', 'refused', 'duplicates', 'out_of_order', 'misdelivered', 'connect_failures', 'dropped']
    .filter((k) => result[k] > 0)
    .map((k) => `${k} ${result[k]}`);
  const first = result.first_error || result.first_drop;
  return [...counts, first && `first: ${first}`].filter(Boolean).join(', ') || 'see raw results';
}

function markdownTable(runName, args, rows, byServer) {
  const out = [`### ${runName}`, '', `\`cz-loadgen ${args}\``, ''];
  const notes = ['ours', 'node']
    .filter((s) => byServer[s] && !byServer[s].clean)
    .map((s) => `${s}: not clean (${problems(byServer[s])})`);
  if (notes.length) out.push(`Note: ${notes.join('; ')}.`, '');
  out.push('| metric | ours | node | ours/node |', '| --- | ---: | ---: | ---: |');
  for (const r of rows) out.push(`| ${r.label} | ${r.ours} | ${r.node} | ${r.ratio} |`);
  out.push('');
  return out.join('\n');
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const lines = fs.readFileSync(args.results, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const runs = new Map();
  for (const result of lines) {
    if (!runs.has(result.run)) runs.set(result.run, { args: result.args, byServer: {} });
    runs.get(result.run).byServer[result.server] = result;
  }
  const text = [];
  const markdown = [];
  for (const [name, { args: runArgs, byServer }] of runs) {
    const rows = rowsFor(name, byServer);
    text.push(textTable(name, runArgs, rows));
    markdown.push(markdownTable(name, runArgs, rows, byServer));
  }
  console.log(text.join('\n'));
  if (args.append) {
    const when = new Date().toISOString().replace(/:\d\d\.\d+Z$/, 'Z').replace('T', ' ');
    const section = [
      `## ${when} — bench/run.sh`,
      '',
      `Machine: ${args.machine || 'unknown'}.  `,
      `Run: ${args.meta || ''}.`,
      '',
      ...markdown,
      '<details><summary>raw results (one JSON line per run)</summary>',
      '',
      '```',
      ...lines.map((l) => JSON.stringify(l)),
      '```',
      '</details>',
      '',
      '',
    ].join('\n');
    fs.appendFileSync(args.append, section);
    console.log(`\nappended to ${args.append}`);
  }
}

main();
