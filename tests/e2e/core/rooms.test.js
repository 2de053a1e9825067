'use strict';
// Rooms and broadcasts between several clients.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const {
  startServer, connect, waitFor, expectNoEvent, emitWithAck, closeAllSockets, toBuffer,
} = require('../lib/harness');

describe('rooms and broadcast', () => {
  let srv;
  before(async () => {
    srv = await startServer({ args: ['--test-namespaces'] });
  });
  after(async () => {
    closeAllSockets();
    await srv.stop();
  });
  afterEach(() => closeAllSockets());

  // a and b in room r1, c outside it; d on another namespace. Mixed transports.
  async function clients() {
    const [a, b, c, d] = await Promise.all([
      connect(`${srv.url}/test`, { transports: ['websocket'] }),
      connect(`${srv.url}/test`, { transports: ['polling'] }),
      connect(`${srv.url}/test`),
      connect(`${srv.url}/test2`, { transports: ['websocket'] }),
    ]);
    assert.equal(await emitWithAck(a, 'join', 'r1'), 'ok');
    assert.equal(await emitWithAck(b, 'join', 'r1'), 'ok');
    return { a, b, c, d };
  }

  it('to a room, from outside it: every member gets it', { timeout: 15000 }, async () => {
    const { a, b, c, d } = await clients();
    const ack = await emitWithAck(c, 'broadcast', { room: 'r1', event: 'news', args: [1, 'one', { k: 'v' }] });
    assert.equal(ack, 'ok');
    assert.deepEqual(await waitFor(a, 'news'), [1, 'one', { k: 'v' }]);
    assert.deepEqual(await waitFor(b, 'news'), [1, 'one', { k: 'v' }]);
    await expectNoEvent(c, 'news', 300);
    await expectNoEvent(d, 'news', 0);
  });

  it('to a room, from a member: excludes the sender unless include_self', { timeout: 15000 }, async () => {
    const { a, b } = await clients();
    await emitWithAck(a, 'broadcast', { room: 'r1', event: 'n1', args: ['x'] });
    assert.deepEqual(await waitFor(b, 'n1'), ['x']);
    await expectNoEvent(a, 'n1', 300);

    await emitWithAck(a, 'broadcast', { room: 'r1', event: 'n2', args: ['y'], include_self: true });
    assert.deepEqual(await waitFor(a, 'n2'), ['y']);
    assert.deepEqual(await waitFor(b, 'n2'), ['y']);
  });

  it('to the whole namespace when no room is given, not to other namespaces', { timeout: 15000 }, async () => {
    const { a, b, c, d } = await clients();
    await emitWithAck(c, 'broadcast', { event: 'all', args: [7] });
    assert.deepEqual(await waitFor(a, 'all'), [7]);
    assert.deepEqual(await waitFor(b, 'all'), [7]);
    await expectNoEvent(c, 'all', 300);
    await expectNoEvent(d, 'all', 0);

    await emitWithAck(c, 'broadcast', { event: 'all2', args: [8], include_self: true });
    for (const s of [a, b, c]) assert.deepEqual(await waitFor(s, 'all2'), [8]);
    await expectNoEvent(d, 'all2', 200);
  });

  it('without an ack request the broadcast still happens', { timeout: 15000 }, async () => {
    const { a, b, c } = await clients();
    c.emit('broadcast', { room: 'r1', event: 'quiet', args: [] });
    assert.deepEqual(await waitFor(a, 'quiet'), []);
    assert.deepEqual(await waitFor(b, 'quiet'), []);
  });

  it('after `leave` a socket no longer gets the room; other rooms still work', { timeout: 15000 }, async () => {
    const { a, b, c } = await clients();
    assert.equal(await emitWithAck(b, 'join', 'r2'), 'ok');
    assert.equal(await emitWithAck(b, 'leave', 'r1'), 'ok');
    await emitWithAck(c, 'broadcast', { room: 'r1', event: 'after_leave', args: [1] });
    assert.deepEqual(await waitFor(a, 'after_leave'), [1]);
    await expectNoEvent(b, 'after_leave', 300);
    await emitWithAck(c, 'broadcast', { room: 'r2', event: 'to_r2', args: [2] });
    assert.deepEqual(await waitFor(b, 'to_r2'), [2]);
    await expectNoEvent(a, 'to_r2', 300);
  });

  it('a room that nobody joined: the broadcast reaches no one and is still acked', { timeout: 15000 }, async () => {
    const { a, b, c } = await clients();
    assert.equal(await emitWithAck(c, 'broadcast', { room: 'empty', event: 'void', args: [] }), 'ok');
    await expectNoEvent(a, 'void', 300);
    await expectNoEvent(b, 'void', 0);
  });

  it('binary arguments reach every member intact', { timeout: 15000 }, async () => {
    const { a, b, c } = await clients();
    const data = Buffer.from('binary broadcast \x00\x01\xff', 'latin1');
    await emitWithAck(c, 'broadcast', { room: 'r1', event: 'file', args: ['name.bin', { data }] });
    for (const s of [a, b]) {
      const [name, { data: got }] = await waitFor(s, 'file');
      assert.equal(name, 'name.bin');
      assert.deepEqual(toBuffer(got), data);
    }
  });

  it('a disconnected member is removed from its rooms', { timeout: 15000 }, async () => {
    const { a, b, c } = await clients();
    a.close();
    await emitWithAck(c, 'broadcast', { room: 'r1', event: 'after_close', args: [] });
    assert.deepEqual(await waitFor(b, 'after_close'), []);
    // Fan-out to 20 members of one room.
    const many = await Promise.all(Array.from({ length: 20 }, () => connect(`${srv.url}/test`, { transports: ['websocket'] })));
    await Promise.all(many.map((s) => emitWithAck(s, 'join', 'big')));
    await emitWithAck(c, 'broadcast', { room: 'big', event: 'fanout', args: ['hi'] });
    await Promise.all(many.map(async (s) => assert.deepEqual(await waitFor(s, 'fanout'), ['hi'])));
  });
});
