'use strict';
// Reads the JSON lines of a bench/run.sh session and prints, per run, each server (ours,
// ours-pg, node) side by side with the ratios <ours>/node; optionally appends the same as
// Markdown to RESULTS.md. A run driven by both load generators (run.sh --generator both) gets
// a table per generator, named after it: ratios only ever compare figures of one generator.
//   node compare.js --results FILE [--machine TEXT] [--meta TEXT] [--append RESULTS.md]
const fs = require('node:fs');

const COMMON_MESSAGE_METRICS = [
  ['sent', 'messages sent (measured window)'],
  ['acked', 'acked'],
  ['refused', 'refused (error ack)', 'lower'],
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
  ['send_lag_max_us', 'load generator send lag max µs (open loop)'],
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

const BASELINE = 'node';

// Servers in a stable order: ours first, the baseline last.
function serverOrder(names) {
  const rank = (n) => (n === 'ours' ? 0 : n === BASELINE ? 2 : 1);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function rowsFor(byServer, servers) {
  const first = byServer[servers[0]];
  const metrics = METRICS[first.scenario] || [];
  const contenders = servers.filter((s) => s !== BASELINE);
  return metrics.map(([key, label, better]) => {
    const hint = better === 'lower' ? ' (lower is better)' : better === 'higher' ? ' (higher is better)' : '';
    const values = servers.map((s) => format(byServer[s] && byServer[s][key]));
    const ratios = byServer[BASELINE]
      ? contenders.map((s) => ratio(byServer[s] && byServer[s][key], byServer[BASELINE][key]))
      : [];
    return { label: label + hint, cells: [...values, ...ratios] };
  });
}

function headerFor(servers, byServer) {
  const contenders = servers.filter((s) => s !== BASELINE);
  return [...servers, ...(byServer[BASELINE] ? contenders.map((s) => `${s}/${BASELINE}`) : [])];
}

function textTable(runName, generator, args, header, rows) {
  const widths = [Math.max(6, ...rows.map((r) => r.label.length))];
  header.forEach((h, i) => widths.push(Math.max(h.length, ...rows.map((r) => r.cells[i].length))));
  const line = (label, cells) =>
    `  ${label.padEnd(widths[0])}${cells.map((c, i) => `  ${c.padStart(widths[i + 1])}`).join('')}`;
  const out = [`\n${runName}: ${generator} ${args}`, line('metric', header)];
  for (const r of rows) out.push(line(r.label, r.cells));
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

function markdownTable(runName, generator, args, header, rows, byServer, servers) {
  const out = [`### ${runName}`, '', `\`${generator} ${args}\``, ''];
  const notes = servers
    .filter((s) => !byServer[s].clean)
    .map((s) => `${s}: not clean (${problems(byServer[s])})`);
  if (notes.length) out.push(`Note: ${notes.join('; ')}.`, '');
  out.push(`| metric | ${header.join(' | ')} |`, `| --- |${header.map(() => ' ---: |').join('')}`);
  for (const r of rows) out.push(`| ${r.label} | ${r.cells.join(' | ')} |`);
  out.push('');
  return out.join('\n');
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const lines = fs.readFileSync(args.results, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const runs = new Map();
  for (const result of lines) {
    // Lines of runs before there was a second generator name none: they are cz-loadgen's.
    const generator = result.generator || 'cz-loadgen';
    const key = generator === 'cz-loadgen' ? result.run : `${result.run} (${generator})`;
    if (!runs.has(key)) runs.set(key, { generator, args: result.args, byServer: {} });
    runs.get(key).byServer[result.server] = result;
  }
  const text = [];
  const markdown = [];
  for (const [name, { generator, args: runArgs, byServer }] of runs) {
    const servers = serverOrder(Object.keys(byServer));
    const header = headerFor(servers, byServer);
    const rows = rowsFor(byServer, servers);
    text.push(textTable(name, generator, runArgs, header, rows));
    markdown.push(markdownTable(name, generator, runArgs, header, rows, byServer, servers));
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
