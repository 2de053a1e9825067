#!/usr/bin/env node
'use strict';
// wsgen: a second load generator for bench/, independent of cz-loadgen (C++), to cross-check
// its figures. Node.js on the npm `ws` package; speaks Engine.IO v4 / Socket.IO v5 itself,
// one packet per WebSocket frame, and offers the same load as cz-loadgen's pairs and fanout
// scenarios. One JSON line on stdout (cz-loadgen's keys), a human table on stderr.
//
//   node bench/wsgen/wsgen.js --port 3000 --server-pid 1234 --jwt-secret s3cret \
//     --pairs 100 --rate 5000 --duration 10 [--threads 2] [--strict]
//
// The conversations run in --threads worker threads; this thread only keeps them in step
// between phases, samples the server, and merges the results.
const fs = require('node:fs');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { parseOptions, shareOf, usage, UsageError } = require('./lib/options');
const { Measurement } = require('./lib/measurement');
const { emptyTally, mergeTally, isClean } = require('./lib/tally');
const { summarize } = require('./lib/latency');
const { buildReport, table } = require('./lib/report');

function fatal(message, code) {
  process.stderr.write(`wsgen: ${message}\n`);
  process.exit(code);
}

// Each client is a descriptor; Node cannot raise the limit itself (bench/run.sh does).
function openFilesLimit() {
  try {
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line && line.split(/\s+/)[3];
    return soft && soft !== 'unlimited' ? Number(soft) : Infinity;
  } catch {
    return Infinity;
  }
}

// Upper bound of a run's wall time: connects, rooms, warm-up and measured sending with their
// drains, and slack; past it the run is abandoned (exit 2) rather than left hanging.
function deadlineSeconds(o, clients) {
  const connects = o.connectTimeout * (2 + Math.ceil(clients / o.connectConcurrency));
  return connects + o.warmup + o.duration + 2 * o.grace + 60;
}

function main() {
  let o;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) fatal(`${err.message}\n${usage()}`, 2);
    throw err;
  }
  if (o.help) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  const clients = o.pairs * (1 + o.tabs) + o.background;
  const limit = openFilesLimit();
  if (clients + 32 > limit) fatal(`${clients} clients need more descriptors than the limit (${limit}); raise ulimit -n`, 2);

  const workers = [];
  for (let k = 0; k < o.threads; k++) {
    workers.push(new Worker(path.join(__dirname, 'lib', 'worker.js'), { workerData: { options: shareOf(o, k) } }));
  }
  const measurement = new Measurement(o.serverPid);
  const actions = { begin: () => measurement.begin(), end: () => measurement.end() };
  const arrived = { begin: 0, end: 0 };
  const results = [];
  const deadline = setTimeout(
    () => fatal(`the run did not finish within ${deadlineSeconds(o, clients)} s`, 2),
    deadlineSeconds(o, clients) * 1000,
  );

  for (const w of workers) {
    w.on('error', (err) => fatal(`a worker failed: ${err.stack || err}`, 2));
    w.on('message', (m) => {
      if (m.type === 'arrive') {
        // The last worker to arrive starts or stops the measurement before any is released.
        if (++arrived[m.phase] === workers.length) {
          actions[m.phase]();
          for (const x of workers) x.postMessage({ type: 'release', phase: m.phase });
        }
      } else if (m.type === 'result') {
        results.push(m);
        if (results.length === workers.length) finish(o, results, measurement, deadline);
      }
    });
  }
}

function finish(o, results, measurement, deadline) {
  clearTimeout(deadline);
  const total = results.reduce((t, r) => mergeTally(t, r.tally), emptyTally());
  const report = buildReport(
    o,
    total,
    summarize(results.map((r) => r.ackSamples)),
    summarize(results.map((r) => r.deliverySamples)),
    measurement,
  );
  if (!o.jsonOnly) process.stderr.write(table(report));
  const code = o.strict && !isClean(total) ? 1 : 0;
  // Sockets of the workers may still be closing: nothing of theirs is needed any more.
  process.stdout.write(`${JSON.stringify(report)}\n`, () => process.exit(code));
}

main();
