'use strict';
// Cluster over Redis: broadcasts made on one cz-messenger node reach clients of another node,
// and a Node socket.io 4.8 server with @socket.io/redis-adapter v8 on the same Redis shares
// broadcasts with our nodes in both directions (same channels, same msgpack encoding).
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { Server: NodeIoServer } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { createClient } = require('redis');
const {
  startServer, startRedis, connect, waitFor, expectNoEvent, emitWithAck, closeAllSockets, sleep, freePort,
} = require('../lib/harness');

// A subscription made on connect takes effect asynchronously; retry a broadcast until it lands.
async function broadcastUntilReceived(send, receiver, event, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await send();
    try {
      return await waitFor(receiver, event, 400);
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

async function startNodeServer(redisUrl) {
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const httpServer = http.createServer();
  const io = new NodeIoServer(httpServer, { adapter: createAdapter(pub, sub) });
  io.of('/test').on('connection', (socket) => {
    socket.on('join', (room, ack) => {
      socket.join(room);
      ack('ok');
    });
  });
  await new Promise((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return {
    io,
    url: `http://127.0.0.1:${httpServer.address().port}`,
    async stop() {
      io.close();
      await Promise.all([pub.quit().catch(() => {}), sub.quit().catch(() => {})]);
    },
  };
}

describe('redis adapter', () => {
  let redis;
  let nodeA;
  let nodeB;
  before(async () => {
    redis = await startRedis();
    const args = ['--test-namespaces', '--redis', redis.url];
    [nodeA, nodeB] = await Promise.all([startServer({ args }), startServer({ args })]);
  });
  after(async () => {
    closeAllSockets();
    await Promise.all([nodeA?.stop(), nodeB?.stop()]);
    await redis?.stop();
  });
  afterEach(() => closeAllSockets());

  it('a room broadcast on node A reaches the room on node B, not other sockets', { timeout: 20000 }, async () => {
    const sender = await connect(`${nodeA.url}/test`, { transports: ['websocket'] });
    const member = await connect(`${nodeB.url}/test`, { transports: ['websocket'] });
    const outsider = await connect(`${nodeB.url}/test`, { transports: ['websocket'] });
    assert.equal(await emitWithAck(member, 'join', 'r1'), 'ok');
    const args = await broadcastUntilReceived(
      () => emitWithAck(sender, 'broadcast', { room: 'r1', event: 'hello', args: [1, 'x', { a: [true, null] }, -2.5] }),
      member, 'hello');
    assert.deepEqual(args, [1, 'x', { a: [true, null] }, -2.5]);
    await expectNoEvent(outsider, 'hello');
  });

  it('a namespace broadcast with binary reaches every node, except the sender', { timeout: 20000 }, async () => {
    const sender = await connect(`${nodeA.url}/test`, { transports: ['websocket'] });
    const other = await connect(`${nodeB.url}/test`, { transports: ['polling'] });
    const bytes = Buffer.from([0, 1, 2, 255]);
    const args = await broadcastUntilReceived(
      () => emitWithAck(sender, 'broadcast', { event: 'bin', args: ['f', bytes] }), other, 'bin');
    assert.equal(args[0], 'f');
    assert.deepEqual(Buffer.from(args[1]), bytes);
    await expectNoEvent(sender, 'bin');
  });

  it('a node serves only once Redis has confirmed its subscriptions', { timeout: 30000 }, async () => {
    redis.signal('SIGSTOP');
    let served = false;
    const starting = startServer({ args: ['--test-namespaces', '--redis', redis.url] });
    starting.then(() => { served = true; }, () => {});
    try {
      await sleep(1500);
      assert.equal(served, false, 'the node printed `listening` while Redis answered nothing');
    } finally {
      redis.signal('SIGCONT');
    }
    const late = await starting;
    try {
      // The node's first client gets a broadcast made once, without the retries above.
      const member = await connect(`${late.url}/test`, { transports: ['websocket'] });
      assert.equal(await emitWithAck(member, 'join', 'first-client'), 'ok');
      const sender = await connect(`${nodeA.url}/test`, { transports: ['websocket'] });
      const received = waitFor(member, 'once', 3000);
      await emitWithAck(sender, 'broadcast', { room: 'first-client', event: 'once', args: ['here'] });
      assert.deepEqual(await received, ['here']);
    } finally {
      await late.stop();
    }
  });

  it('a node whose Redis does not answer serves alone after a few seconds, and says so', { timeout: 30000 }, async () => {
    const nowhere = `redis://127.0.0.1:${await freePort()}`;
    const alone = await startServer({ args: ['--test-namespaces', '--redis', nowhere] });
    try {
      assert.match(alone.output(), /serving alone until Redis answers/);
      const client = await connect(`${alone.url}/test`, { transports: ['websocket'] });
      assert.equal(await emitWithAck(client, 'join', 'solo'), 'ok');
    } finally {
      await alone.stop();
    }
  });

  describe('with a Node socket.io server using @socket.io/redis-adapter', () => {
    let nodeIo;
    before(async () => {
      nodeIo = await startNodeServer(redis.url);
    });
    after(async () => {
      closeAllSockets();
      await nodeIo?.stop();
    });

    it('a broadcast on our node reaches a client of the Node server', { timeout: 20000 }, async () => {
      const ours = await connect(`${nodeA.url}/test`, { transports: ['websocket'] });
      const theirs = await connect(`${nodeIo.url}/test`, { transports: ['websocket'] });
      assert.equal(await emitWithAck(theirs, 'join', 'mixed'), 'ok');
      const args = await broadcastUntilReceived(
        () => emitWithAck(ours, 'broadcast', { room: 'mixed', event: 'toNode', args: [{ n: 42 }, 'é', Buffer.from([7, 8])] }),
        theirs, 'toNode');
      assert.deepEqual(args[0], { n: 42 });
      assert.equal(args[1], 'é');
      assert.deepEqual(Buffer.from(args[2]), Buffer.from([7, 8]));
    });

    it('a broadcast on the Node server reaches a client of our node', { timeout: 20000 }, async () => {
      const ours = await connect(`${nodeB.url}/test`, { transports: ['websocket'] });
      assert.equal(await emitWithAck(ours, 'join', 'from-node'), 'ok');
      const args = await broadcastUntilReceived(async () => {
        nodeIo.io.of('/test').to('from-node').except('nobody').emit('fromNode', 'hi', [1, 2.5], Buffer.from([9]));
        await sleep(10);
      }, ours, 'fromNode');
      assert.equal(args[0], 'hi');
      assert.deepEqual(args[1], [1, 2.5]);
      assert.deepEqual(Buffer.from(args[2]), Buffer.from([9]));
      // A room our client is not in is not delivered.
      nodeIo.io.of('/test').to('elsewhere').emit('fromNode', 'no');
      await expectNoEvent(ours, 'fromNode', 500);
    });
  });
});
