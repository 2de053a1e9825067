'use strict';
// wsgen must be able to fail: against the Node baseline with fault injection (--drop-every N:
// every Nth message is acked but never delivered) `--strict` exits 1 and counts the loss; on a
// clean baseline it exits 0 with every message acked and delivered once, in order. The same
// check as bench/README.md's for cz-loadgen. Needs `npm ci` in bench/baseline-node too.
// A few seconds; not part of CI (which runs no bench/ Node code).
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');

const SECRET = 'wsgen-test-secret';
const BASELINE = path.join(__dirname, '..', '..', 'baseline-node', 'server.js');
const WSGEN = path.join(__dirname, '..', 'wsgen.js');

function startBaseline(extra = []) {
  const child = spawn(process.execPath, [BASELINE, '--port', '0', '--jwt-secret', SECRET, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on http:\/\/[\d.]+:(\d+)/);
      if (m) resolve({ port: m[1], pid: child.pid, stop: () => new Promise((r) => { child.on('exit', r); child.kill('SIGTERM'); }) });
    });
    child.on('exit', (code) => reject(new Error(`baseline exited with ${code}`)));
  });
}

// Runs wsgen to its end; resolves { code, result (the parsed JSON line) }.
function runWsgen(args) {
  const child = spawn(process.execPath, [WSGEN, '--jwt-secret', SECRET, '--json-only', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve({ code, result: out.trim() ? JSON.parse(out.trim()) : null }));
  });
}

const LOAD = ['--pairs', '5', '--rate', '200', '--duration', '1', '--warmup', '0', '--grace', '3', '--strict'];

test('wsgen --strict exits 1 when the server acks messages it never delivers', async (t) => {
  const srv = await startBaseline(['--drop-every', '50']);
  t.after(() => srv.stop());
  const { code, result } = await runWsgen(['--port', srv.port, '--server-pid', String(srv.pid), ...LOAD]);
  assert.equal(code, 1);
  assert.equal(result.sent, 200);
  assert.equal(result.acked, 200);
  assert.equal(result.lost, 4); // every 50th of 200
  assert.equal(result.delivered, 196);
  assert.equal(result.clean, false);
});

test('wsgen --strict exits 0 on a clean run, each message acked and delivered once, in order', async (t) => {
  const srv = await startBaseline();
  t.after(() => srv.stop());
  const { code, result } = await runWsgen(['--port', srv.port, '--server-pid', String(srv.pid), '--label', 'node', ...LOAD]);
  assert.equal(code, 0);
  assert.equal(result.generator, 'wsgen');
  assert.equal(result.label, 'node');
  assert.equal(result.sent, 200);
  assert.equal(result.acked, 200);
  assert.equal(result.delivered, 200);
  assert.equal(result.echoes, 200); // the sender's own socket gets its message back
  for (const k of ['lost', 'refused', 'unacked', 'duplicates', 'out_of_order', 'misdelivered', 'dropped']) {
    assert.equal(result[k], 0, k);
  }
  assert.equal(result.server_process, 'node');
  assert.ok(result.server_cpu_us_per_delivered > 0);
  assert.equal(result.clean, true);
});

test('wsgen refuses bad options with a clear error and exit 2', async () => {
  const { code } = await runWsgen(['--port', '1', '--rate', 'fast']);
  assert.equal(code, 2);
});
