'use strict';
// The official client over each transport: default (polling, then upgrade to WebSocket),
// WebSocket only, polling only. Each one exchanges text and binary events both ways.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { io } = require('socket.io-client');
const {
  startServer, connect, openSocket, once, waitFor, emitWithAck, emitWithAckAll, closeAllSockets, toBuffer,
} = require('../lib/harness');

// Sends `count` echo events without acks and checks they all come back, in order.
async function echoBurst(socket, count) {
  for (let i = 0; i < count; i++) socket.emit('echo', { seq: i, text: `message ${i}` });
  for (let i = 0; i < count; i++) {
    const [payload] = await waitFor(socket, 'echo');
    assert.deepEqual(payload, { seq: i, text: `message ${i}` });
  }
}

// Text and binary both ways, with and without ack.
async function exchange(socket) {
  assert.equal(await emitWithAck(socket, 'echo', 'hello'), 'hello');
  const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
  const [back] = await emitWithAckAll(socket, 'echo', bytes);
  assert.deepEqual(toBuffer(back), bytes);
  socket.emit('echo', { label: 'bin', data: bytes });
  const [pushed] = await waitFor(socket, 'echo');
  assert.equal(pushed.label, 'bin');
  assert.deepEqual(toBuffer(pushed.data), bytes);
}

describe('transports', () => {
  let srv;
  before(async () => {
    srv = await startServer({ args: ['--test-namespaces'] });
  });
  after(async () => {
    closeAllSockets();
    await srv.stop();
  });
  afterEach(() => closeAllSockets());

  it('default options: opens with polling, upgrades to websocket, loses nothing on the way', { timeout: 20000 }, async () => {
    const socket = io(`${srv.url}/test`, { forceNew: true, reconnection: false });
    let openedWith;
    socket.io.on('open', () => {
      openedWith = socket.io.engine.transport.name;
    });
    await openSocket(socket);
    assert.equal(openedWith, 'polling');
    const [welcome] = await waitFor(socket, 'welcome');
    assert.equal(welcome.id, socket.id);

    // Events sent while the upgrade is in flight must all arrive, in order.
    const burst = echoBurst(socket, 20);
    const engine = socket.io.engine;
    if (engine.transport.name !== 'websocket') await once(engine, 'upgrade', 10000);
    await burst;
    assert.equal(engine.transport.name, 'websocket');
    await exchange(socket);
    assert.equal(engine.transport.name, 'websocket');
  });

  it('websocket only', { timeout: 20000 }, async () => {
    const socket = await connect(`${srv.url}/test`, { transports: ['websocket'] });
    assert.equal(socket.io.engine.transport.name, 'websocket');
    await waitFor(socket, 'welcome');
    await echoBurst(socket, 20);
    await exchange(socket);
  });

  it('polling only (no upgrade)', { timeout: 20000 }, async () => {
    const socket = await connect(`${srv.url}/test`, { transports: ['polling'] });
    assert.equal(socket.io.engine.transport.name, 'polling');
    await waitFor(socket, 'welcome');
    await echoBurst(socket, 20);
    await exchange(socket);
    assert.equal(socket.io.engine.transport.name, 'polling');
  });

  it('many clients on every transport at once, each gets only its own replies', { timeout: 30000 }, async () => {
    const kinds = [undefined, ['websocket'], ['polling']];
    const sockets = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        connect(`${srv.url}/test`, kinds[i % 3] ? { transports: kinds[i % 3] } : {}),
      ),
    );
    const replies = await Promise.all(sockets.map((s, i) => emitWithAckAll(s, 'echo', i, `client ${i}`)));
    replies.forEach((reply, i) => assert.deepEqual(reply, [i, `client ${i}`]));
  });
});
