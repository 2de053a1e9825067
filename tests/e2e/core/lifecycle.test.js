'use strict';
// Process lifecycle: health check, clean exit on signals with clients connected, and clients
// reconnecting by themselves after a restart.
const { describe, it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const {
  startServer, connect, once, waitFor, emitWithAck, closeAllSockets, httpRequest,
} = require('../lib/harness');

const DISCONNECT_REASONS = ['transport close', 'transport error', 'io server disconnect', 'ping timeout'];

describe('lifecycle', () => {
  afterEach(() => closeAllSockets());

  it('GET /healthz answers 200 ok', { timeout: 15000 }, async () => {
    const srv = await startServer({ args: ['--test-namespaces'] });
    const res = await httpRequest(`${srv.url}/healthz`);
    assert.equal(res.status, 200);
    assert.match(res.body, /ok/i);
    await srv.stop();
  });

  for (const signal of ['SIGTERM', 'SIGINT']) {
    it(`${signal} with clients connected: clients are disconnected, exit code 0`, { timeout: 20000 }, async () => {
      const srv = await startServer({ args: ['--test-namespaces'] });
      const ws = await connect(`${srv.url}/test`, { transports: ['websocket'] });
      const polling = await connect(`${srv.url}/test`, { transports: ['polling'] });
      const gone = [once(ws, 'disconnect', 10000), once(polling, 'disconnect', 10000)];
      const started = Date.now();
      const info = await srv.stop({ signal, timeoutMs: 10000 });
      assert.deepEqual(info, { code: 0, signal: null });
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms to exit`);
      for (const [reason] of await Promise.all(gone)) assert.ok(DISCONNECT_REASONS.includes(reason), reason);
    });
  }

  for (const transports of [undefined, ['websocket'], ['polling']]) {
    const label = transports ? transports[0] : 'default transports';
    it(`the client reconnects by itself after a restart (${label})`, { timeout: 30000 }, async () => {
      const srv = await startServer({ args: ['--test-namespaces'], store: 'sqlite' });
      const socket = await connect(`${srv.url}/test`, {
        transports,
        reconnection: true,
        reconnectionDelay: 100,
        reconnectionDelayMax: 500,
        randomizationFactor: 0,
      });
      const [first] = await waitFor(socket, 'welcome');
      const disconnected = once(socket, 'disconnect', 10000);
      const port = srv.port;
      await srv.restart();
      assert.equal(srv.port, port);
      const [reason] = await disconnected;
      assert.ok(DISCONNECT_REASONS.includes(reason), reason);
      if (!socket.connected) await once(socket, 'connect', 15000);
      const [second] = await waitFor(socket, 'welcome', 10000);
      assert.notEqual(second.id, first.id, 'a new session after the restart');
      assert.equal(second.id, socket.id);
      assert.equal(await emitWithAck(socket, 'echo', 'after restart'), 'after restart');
      socket.close();
      await srv.stop();
    });
  }
});
