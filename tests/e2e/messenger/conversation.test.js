'use strict';
// The conversation events with two users, each with two tabs: create_room, new_message (store
// first, then deliver; retries), typing/stop_typing, seen_messages.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { emitWithAck, waitFor, expectNoEvent, closeAllSockets } = require('../lib/harness');
const { startMessenger, user, createRoom, send, messagePayload } = require('./helpers');

describe('messenger conversation', () => {
  let srv;
  let n = 0;
  before(async () => {
    srv = await startMessenger();
  });
  after(async () => {
    closeAllSockets();
    await srv.stop();
  });
  afterEach(() => closeAllSockets());

  // Fresh user ids per test (one server for the whole file); two tabs each, mixed transports,
  // plus a third user who must never see anything.
  async function pair() {
    n += 1;
    const b = `b${n}`;
    const s = `s${n}`;
    const [buyer, buyerTab2, seller, sellerTab2, stranger] = await Promise.all([
      user(srv, b, 'BUYER', { transports: ['websocket'] }),
      user(srv, b, 'BUYER', { transports: ['polling'] }),
      user(srv, s, 'SELLER', { via: 'query' }),
      user(srv, s, 'SELLER', { transports: ['websocket'] }),
      user(srv, `b${n}-stranger`, 'BUYER'),
    ]);
    return { b, s, room: `${b}.${s}`, buyer, buyerTab2, seller, sellerTab2, stranger };
  }

  it('create_room: id <buyer>.<seller>, both users told, idempotent', async () => {
    const p = await pair();
    const reply = await emitWithAck(p.buyer, 'create_room', { type: 'BS', buyer: p.b, seller: p.s, shop_id: 'shop-9', creator: p.b });
    assert.equal(reply.status, true);
    assert.equal(reply.outcome, 'created');
    assert.equal(reply.room._id, p.room);
    assert.equal(reply.room.buyer, p.b);
    assert.equal(reply.room.seller, p.s);
    assert.equal(reply.room.creator, p.b);
    assert.equal(reply.room.shop_id, 'shop-9');
    for (const tab of [p.buyer, p.buyerTab2, p.seller, p.sellerTab2]) {
      const [room] = await waitFor(tab, 'create_room');
      assert.equal(room._id, p.room);
    }
    await expectNoEvent(p.stranger, 'create_room', 100);

    const again = await emitWithAck(p.seller, 'create_room', { type: 'BS', buyer: p.b, seller: p.s, shop_id: 'shop-9' });
    assert.equal(again.status, true);
    assert.equal(again.outcome, 'existed');
    assert.equal(again.room._id, p.room);
    assert.equal(again.room.created_at, reply.room.created_at);
  });

  it('new_message: stored, acked, delivered to every tab of both users', async () => {
    const p = await pair();
    await createRoom(p.buyer, p.b, p.s);
    const ack = await emitWithAck(p.buyer, 'new_message', messagePayload(p.b, p.s, 'hello there', { client_message_id: 'cm-1' }));
    assert.equal(ack.error, undefined);
    assert.equal(typeof ack._id, 'string');
    assert.equal(ack.room_id, p.room);
    assert.equal(ack.from, p.b);
    assert.equal(ack.to, p.s);
    assert.equal(ack.type, 'TEXT');
    assert.equal(ack.content, 'hello there');
    assert.equal(ack.client_message_id, 'cm-1');
    assert.equal(ack.is_seen, false);
    assert.ok(!Number.isNaN(Date.parse(ack.created_at)));
    assert.equal(new Date(ack.created_at).toISOString(), ack.created_at);
    for (const tab of [p.buyer, p.buyerTab2, p.seller, p.sellerTab2]) {
      const [msg] = await waitFor(tab, 'new_message');
      assert.deepEqual(msg, ack);
    }
    await expectNoEvent(p.stranger, 'new_message', 100);

    // The reply goes the other way, IMAGE and EMOJI too.
    const image = await send(p.seller, p.s, p.b, 'https://img.example/1.png', { type: 'IMAGE' });
    assert.equal(image.type, 'IMAGE');
    const emoji = await send(p.sellerTab2, p.s, p.b, '👍', { type: 'EMOJI' });
    assert.equal(emoji.content, '👍');
    const [first] = await waitFor(p.buyerTab2, 'new_message');
    const [second] = await waitFor(p.buyerTab2, 'new_message');
    assert.deepEqual([first._id, second._id], [image._id, emoji._id]);
  });

  it('new_message without an ack is still delivered (the sender sees it in its own room)', async () => {
    const p = await pair();
    await createRoom(p.buyer, p.b, p.s);
    p.buyer.emit('new_message', messagePayload(p.b, p.s, 'fire and forget', { client_message_id: 'ff-1' }));
    const [own] = await waitFor(p.buyer, 'new_message');
    assert.equal(own.client_message_id, 'ff-1');
    const [theirs] = await waitFor(p.seller, 'new_message');
    assert.equal(theirs._id, own._id);
  });

  it('a retry with the same client_message_id is acked with the stored message, not delivered twice', async () => {
    const p = await pair();
    await createRoom(p.buyer, p.b, p.s);
    const payload = messagePayload(p.b, p.s, 'exactly once', { client_message_id: 'retry-42' });
    const first = await emitWithAck(p.buyer, 'new_message', payload);
    const retry = await emitWithAck(p.buyerTab2, 'new_message', payload);
    assert.deepEqual(retry, first);
    await waitFor(p.seller, 'new_message');
    await expectNoEvent(p.seller, 'new_message', 300);
    const synced = await emitWithAck(p.seller, 'sync', {});
    assert.deepEqual(synced.messages.map((m) => m._id), [first._id]);
  });

  it('typing / stop_typing are forwarded to the other user only', async () => {
    const p = await pair();
    await createRoom(p.buyer, p.b, p.s);
    const payload = { room_id: p.room, from: p.b, to: p.s };
    p.buyer.emit('typing', payload);
    for (const tab of [p.seller, p.sellerTab2]) assert.deepEqual(await waitFor(tab, 'typing'), [payload]);
    const ack = await emitWithAck(p.buyer, 'stop_typing', payload);
    assert.equal(ack.status, true);
    assert.deepEqual(await waitFor(p.seller, 'stop_typing'), [payload]);
    await expectNoEvent(p.buyerTab2, 'typing', 100);
    await expectNoEvent(p.stranger, 'typing', 0);
  });

  it('seen_messages marks the reader\'s messages, resets the counter, tells the sender', async () => {
    const p = await pair();
    await createRoom(p.buyer, p.b, p.s);
    const m1 = await send(p.buyer, p.b, p.s, 'one');
    const m2 = await send(p.buyer, p.b, p.s, 'two');
    const own = await send(p.seller, p.s, p.b, 'mine');
    const reply = await emitWithAck(p.seller, 'seen_messages', { room_id: p.room, from: p.s, to: p.b, message_ids: [m1._id, own._id] });
    assert.equal(reply.status, true);
    assert.deepEqual(reply.message_ids, [m1._id], 'only messages addressed to the reader are marked');
    const [fwd] = await waitFor(p.buyer, 'seen_messages');
    assert.deepEqual(fwd, { room_id: p.room, from: p.s, to: p.b, message_ids: [m1._id] });
    await waitFor(p.buyerTab2, 'seen_messages');

    // Without message_ids: everything addressed to the reader in the room.
    const all = await emitWithAck(p.seller, 'seen_messages', { room_id: p.room, from: p.s, to: p.b });
    assert.deepEqual(all.message_ids, [m2._id]);
    const synced = await emitWithAck(p.buyer, 'sync', {});
    const seen = Object.fromEntries(synced.messages.map((m) => [m._id, m.is_seen]));
    assert.deepEqual(seen, { [m1._id]: true, [m2._id]: true, [own._id]: false });
  });
});
