'use strict';
// The harness's own behaviour, checked against a stand-in server (fixtures/fake-server.js) so that
// it does not depend on the real binary.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, httpRequest } = require('../lib/harness');

const FAKE = path.join(__dirname, 'fixtures', 'fake-server.js');
const fake = (options = {}) => startServer({ binary: FAKE, readyTimeoutMs: 5000, ...options });

test('startServer picks a loopback port, passes the flags, and stop() cleans up', { timeout: 20000 }, async () => {
  const srv = await fake({ store: 'sqlite', args: ['--test-namespaces'] });
  assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(srv.port > 0);
  const args = JSON.parse((await httpRequest(`${srv.url}/args`)).body);
  assert.deepEqual(args, [
    '--host', '127.0.0.1', '--port', String(srv.port),
    '--store', `sqlite:${path.join(srv.dataDir, 'cz.db')}`, '--test-namespaces',
  ]);
  assert.ok(fs.existsSync(srv.dataDir));
  assert.match(srv.output(), /listening on http:\/\//);
  const info = await srv.stop();
  assert.deepEqual(info, { code: 0, signal: null });
  assert.equal(fs.existsSync(srv.dataDir), false, 'temp dir removed');
});

test('restart() keeps the port and the data dir; kill() then restart() works', { timeout: 20000 }, async () => {
  const srv = await fake();
  const { port, dataDir } = srv;
  assert.equal((await httpRequest(`${srv.url}/write-marker`)).body, 'written');
  await srv.restart();
  assert.equal(srv.port, port);
  assert.equal(srv.dataDir, dataDir);
  assert.equal((await httpRequest(`${srv.url}/read-marker`)).body, 'present');
  const killed = await srv.kill('SIGKILL');
  assert.equal(killed.signal, 'SIGKILL');
  await srv.restart();
  assert.equal((await httpRequest(`${srv.url}/healthz`)).body, 'ok');
  await srv.stop();
});

test('a server that exits before listening is reported with its output', { timeout: 20000 }, async () => {
  await assert.rejects(fake({ env: { FAKE_MODE: 'exit-early' } }), (err) => {
    assert.match(err.message, /exited \(code 3, signal null\) before it was ready/);
    assert.match(err.message, /fake: refusing to start/);
    return true;
  });
});

test('a server that never logs the line times out with a clear error', { timeout: 20000 }, async () => {
  await assert.rejects(
    startServer({ binary: FAKE, readyTimeoutMs: 500, env: { FAKE_MODE: 'silent' } }),
    /was not ready within 500 ms/,
  );
});

test('stop() fails on a non-zero exit code unless told otherwise', { timeout: 20000 }, async () => {
  const srv = await fake({ env: { FAKE_MODE: 'bad-exit' } });
  await assert.rejects(srv.stop(), /exited with code 7/);
  const other = await fake({ env: { FAKE_MODE: 'bad-exit' } });
  assert.equal((await other.stop({ expectExitCode: null })).code, 7);
});

test('stop() reports a server that died by itself', { timeout: 20000 }, async () => {
  const srv = await fake();
  process.kill(srv.pid, 'SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 200));
  await assert.rejects(srv.stop(), /already exited by itself/);
});

test('a missing binary is a clear error', () => {
  return assert.rejects(startServer({ binary: '/nonexistent/cz' }), /server binary not found/);
});
