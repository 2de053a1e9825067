// Checks an Engine.IO v4 echo server (see tests/unit/engineio/manual_server_test.cpp) with the
// official engine.io-client (v6, the one socket.io-client 4.8 uses). Usage:
//   NODE_PATH=<dir with engine.io-client> node eio_client_check.js http://127.0.0.1:PORT
// Exits non-zero on the first failed scenario.
'use strict';
const { Socket } = require('engine.io-client');
const assert = require('assert');

const url = process.argv[2];
if (!url) throw new Error('usage: eio_client_check.js URL');

function open(opts) {
  return new Promise((resolve, reject) => {
    const socket = new Socket(url, { path: '/socket.io/', ...opts });
    const timer = setTimeout(() => reject(new Error('open timeout')), 5000);
    socket.on('open', () => { clearTimeout(timer); resolve(socket); });
    socket.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

function nextMessages(socket, n, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const got = [];
    const timer = setTimeout(() => reject(new Error(`got ${got.length}/${n} messages`)), timeoutMs);
    const onMessage = (data) => {
      got.push(data);
      if (got.length === n) { clearTimeout(timer); socket.off('message', onMessage); resolve(got); }
    };
    socket.on('message', onMessage);
  });
}

function closed(socket, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('close timeout')), timeoutMs);
    socket.on('close', (reason) => { clearTimeout(timer); resolve(reason); });
  });
}

async function echoRoundTrip(socket) {
  const p = nextMessages(socket, 3);
  socket.send('hello');
  socket.send('héllo ☃');
  socket.send(Buffer.from([1, 2, 3, 255]));
  const [a, b, c] = await p;
  assert.strictEqual(a, 'hello');
  assert.strictEqual(b, 'héllo ☃');
  assert.deepStrictEqual(Buffer.from(c), Buffer.from([1, 2, 3, 255]));
  const burst = nextMessages(socket, 200);
  socket.send('burst:200');
  const msgs = await burst;
  msgs.forEach((m, i) => assert.strictEqual(m, `m${i}`));
}

const scenarios = {
  async 'default (polling then upgrade)'() {
    const socket = await open({});
    assert.strictEqual(socket.transport.name, 'polling');
    await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no upgrade')), 5000);
      socket.on('upgrade', () => { clearTimeout(t); resolve(); });
    });
    assert.strictEqual(socket.transport.name, 'websocket');
    await echoRoundTrip(socket);
    const c = closed(socket);
    socket.close();
    assert.strictEqual(await c, 'forced close');
  },
  async 'messages sent during the upgrade are not lost'() {
    const socket = await open({});
    const p = nextMessages(socket, 50);
    for (let i = 0; i < 50; i++) setTimeout(() => socket.send(`x${i}`), i * 2);
    const msgs = await p;
    msgs.forEach((m, i) => assert.strictEqual(m, `x${i}`));
    socket.close();
  },
  async 'websocket only'() {
    const socket = await open({ transports: ['websocket'] });
    assert.strictEqual(socket.transport.name, 'websocket');
    await echoRoundTrip(socket);
    socket.close();
  },
  async 'polling only'() {
    const socket = await open({ transports: ['polling'] });
    await echoRoundTrip(socket);
    const c = closed(socket);
    socket.close();
    assert.strictEqual(await c, 'forced close');
  },
  async 'server closes (polling)'() {
    const socket = await open({ transports: ['polling'] });
    const c = closed(socket);
    socket.send('close-me');
    assert.strictEqual(await c, 'transport close');
  },
  async 'server closes (websocket)'() {
    const socket = await open({ transports: ['websocket'] });
    const c = closed(socket);
    socket.send('close-me');
    assert.strictEqual(await c, 'transport close');
  },
  async 'heartbeat keeps an idle session alive'() {
    const ms = Number(process.env.CZ_EIO_PING_INTERVAL || 0);
    if (!ms) return 'skipped (set CZ_EIO_PING_INTERVAL to the server ping interval)';
    for (const transports of [['polling'], ['websocket']]) {
      const socket = await open({ transports });
      let pings = 0;
      socket.on('ping', () => pings++);
      let closedReason = null;
      socket.on('close', (r) => { closedReason = r; });
      await new Promise((r) => setTimeout(r, ms * 4));
      assert.strictEqual(closedReason, null, `${transports}: closed: ${closedReason}`);
      assert.ok(pings >= 2, `${transports}: only ${pings} pings`);
      socket.close();
    }
  },
};

(async () => {
  let failed = 0;
  for (const [name, fn] of Object.entries(scenarios)) {
    try {
      const note = await fn();
      console.log(`ok   ${name}${note ? ' - ' + note : ''}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e && e.stack || e}`);
    }
  }
  process.exit(failed ? 1 : 0);
})();
