'use strict';
// Engine.IO heartbeats: the server pings every --ping-interval and drops a client that has not
// answered within --ping-timeout; clients that answer stay connected.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const {
  startServer, connect, once, emitWithAck, closeAllSockets, sleep,
  rawEngineIoWebSocket, pollingHandshake, httpRequest, eioUrl,
} = require('../lib/harness');

const PING_INTERVAL = 300;
const PING_TIMEOUT = 200;
const DEADLINE = PING_INTERVAL + PING_TIMEOUT;
const SLACK = 1000; // scheduling on a loaded 2-core machine

describe('heartbeat', () => {
  let srv;
  before(async () => {
    srv = await startServer({
      args: ['--test-namespaces', '--ping-interval', String(PING_INTERVAL), '--ping-timeout', String(PING_TIMEOUT)],
    });
  });
  after(async () => {
    closeAllSockets();
    await srv.stop();
  });
  afterEach(() => closeAllSockets());

  it('the open packet announces the configured interval and timeout', { timeout: 10000 }, async () => {
    const open = await pollingHandshake(srv.url);
    assert.equal(open.pingInterval, PING_INTERVAL);
    assert.equal(open.pingTimeout, PING_TIMEOUT);
  });

  it('a WebSocket client that never answers pings is dropped within pingInterval + pingTimeout', { timeout: 10000 }, async () => {
    const raw = await rawEngineIoWebSocket(srv.url);
    try {
      const pings = [];
      raw.ws.on('message', (data) => {
        if (data.toString() === '2') pings.push(Date.now() - raw.openedAt);
      });
      await Promise.race([raw.closed, sleep(DEADLINE + SLACK)]);
      const elapsed = (raw.closedAt || Date.now()) - raw.openedAt;
      assert.ok(raw.closedAt, `still open ${elapsed} ms after the open packet (deadline ${DEADLINE} ms)`);
      assert.ok(pings.length >= 1, 'the server sent a ping before giving up');
      assert.ok(pings[0] >= PING_INTERVAL - 100, `first ping after ${pings[0]} ms, interval is ${PING_INTERVAL}`);
      assert.ok(elapsed >= DEADLINE - 100, `dropped after ${elapsed} ms, before the ${DEADLINE} ms deadline`);
    } finally {
      raw.close();
    }
  });

  it('a WebSocket client that answers every ping stays connected', { timeout: 10000 }, async () => {
    const raw = await rawEngineIoWebSocket(srv.url);
    try {
      let pings = 0;
      raw.ws.on('message', (data) => {
        if (data.toString() === '2') {
          pings++;
          raw.send('3');
        }
      });
      await sleep(5 * PING_INTERVAL);
      assert.equal(raw.closedAt, undefined, 'the server closed a client that answered its pings');
      assert.ok(pings >= 3, `only ${pings} pings in ${5 * PING_INTERVAL} ms`);
    } finally {
      raw.close();
    }
  });

  it('a polling client that stops polling is dropped: its sid becomes unknown', { timeout: 10000 }, async () => {
    const { sid } = await pollingHandshake(srv.url);
    await sleep(DEADLINE + SLACK);
    const res = await httpRequest(eioUrl(srv.url, { EIO: '4', transport: 'polling', sid }));
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.body), { code: 1, message: 'Session ID unknown' });
  });

  for (const transports of [['websocket'], ['polling']]) {
    it(`the official client over ${transports[0]} stays connected across many intervals`, { timeout: 10000 }, async () => {
      const socket = await connect(`${srv.url}/test`, { transports });
      let disconnected = null;
      socket.on('disconnect', (reason) => (disconnected = reason));
      await sleep(6 * PING_INTERVAL);
      assert.equal(disconnected, null, `disconnected: ${disconnected}`);
      assert.equal(await emitWithAck(socket, 'echo', 'alive'), 'alive');
    });
  }

  it('the official client notices a server that stopped pinging (SIGSTOP)', { timeout: 15000 }, async () => {
    const socket = await connect(`${srv.url}/test`, { transports: ['websocket'] });
    const gone = once(socket, 'disconnect', DEADLINE + 3 * SLACK);
    process.kill(srv.pid, 'SIGSTOP');
    try {
      const [reason] = await gone;
      assert.equal(reason, 'ping timeout');
    } finally {
      process.kill(srv.pid, 'SIGCONT');
    }
    // Once resumed the server serves new clients again.
    const again = await connect(`${srv.url}/test`, { transports: ['websocket'] });
    assert.equal(await emitWithAck(again, 'echo', 'back'), 'back');
  });
});
