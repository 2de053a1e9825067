'use strict';
// --config FILE end to end: a setting the client can observe (the Engine.IO ping interval in
// the handshake) from the file, its CZ_* variable and its flag, in that order of precedence;
// and the sample deploy/cz-messenger.toml starts a server.
const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startServer, pollingHandshake, REPO_ROOT } = require('../lib/harness');

const binary = () => process.env.CZ_BINARY || path.join(REPO_ROOT, 'build', 'cz-messenger');

describe('--config', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cz-config-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'cz.toml');
  fs.writeFileSync(file, 'ping-interval = 1111\nmax-payload = 50000\n');

  const pingInterval = async ({ args = [], env = {} }) => {
    const srv = await startServer({ args: ['--config', file, '--store', 'memory', ...args], env });
    try {
      const open = await pollingHandshake(srv.url);
      return { pingInterval: open.pingInterval, maxPayload: open.maxPayload };
    } finally {
      await srv.stop();
    }
  };

  it('flag > environment > file > default', { timeout: 30000 }, async () => {
    assert.deepEqual(await pingInterval({}), { pingInterval: 1111, maxPayload: 50000 });
    assert.deepEqual(await pingInterval({ env: { CZ_PING_INTERVAL: '2222' } }),
      { pingInterval: 2222, maxPayload: 50000 });
    assert.deepEqual(
      await pingInterval({ env: { CZ_PING_INTERVAL: '2222' }, args: ['--ping-interval', '3333'] }),
      { pingInterval: 3333, maxPayload: 50000 });
    const srv = await startServer({ args: ['--store', 'memory'] });
    try {
      assert.equal((await pollingHandshake(srv.url)).pingInterval, 25000, 'the default');
    } finally {
      await srv.stop();
    }
  });

  it('CZ_CONFIG names the file', { timeout: 20000 }, async () => {
    const srv = await startServer({ args: ['--store', 'memory'], env: { CZ_CONFIG: file } });
    try {
      assert.equal((await pollingHandshake(srv.url)).pingInterval, 1111);
    } finally {
      await srv.stop();
    }
  });

  it('a bad file stops the start with a message naming the key', { timeout: 20000 }, () => {
    const bad = path.join(dir, 'bad.toml');
    fs.writeFileSync(bad, 'ping-intervall = 1000\n');
    const run = spawnSync(binary(), ['--config', bad, '--store', 'memory'], { encoding: 'utf8', timeout: 10000 });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr + run.stdout, /ping-intervall/);
    fs.writeFileSync(bad, 'ping-interval = "soon"\n');
    const badValue = spawnSync(binary(), ['--config', bad, '--store', 'memory'], { encoding: 'utf8', timeout: 10000 });
    assert.notEqual(badValue.status, 0);
    assert.match(badValue.stderr + badValue.stdout, /ping-interval/);
  });
});
