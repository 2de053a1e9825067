'use strict';
// 1 000 messages in a burst from 10 pairs (both sides writing at once, without waiting for
// acks): every message is acked, stored, and delivered to both users in the same order as the
// store holds them, and each sender's messages in the order sent.
const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { emitWithAck, closeAllSockets, withTimeout } = require('../lib/harness');
const { startMessenger, user, createRoom, messagePayload } = require('./helpers');

const PAIRS = 10;
const PER_PAIR = 100;  // 60 from the buyer, 40 from the seller

describe('messenger burst', () => {
  let srv;
  after(async () => {
    closeAllSockets();
    if (srv) await srv.stop();
  });

  it(`${PAIRS * PER_PAIR} messages from ${PAIRS} pairs: all stored, delivered in order per room`, { timeout: 120000 }, async () => {
    srv = await startMessenger(['--threads', '4']);
    const pairs = [];
    for (let i = 0; i < PAIRS; i++) {
      const b = `burst-b${i}`;
      const s = `burst-s${i}`;
      const [buyer, seller] = await Promise.all([
        user(srv, b, 'BUYER', { transports: ['websocket'] }),
        user(srv, s, 'SELLER', { transports: i % 2 ? ['polling'] : ['websocket'] }),
      ]);
      await createRoom(buyer, b, s);
      const received = { [b]: [], [s]: [] };
      buyer.on('new_message', (m) => received[b].push(m));
      seller.on('new_message', (m) => received[s].push(m));
      pairs.push({ b, s, room: `${b}.${s}`, buyer, seller, received });
    }

    const acks = [];
    const sendAll = (pair, socket, from, to, count) => {
      for (let k = 0; k < count; k++) {
        acks.push(emitWithAck(socket, 'new_message', messagePayload(from, to, `${from}#${k}`, { room_id: pair.room, client_message_id: `${from}-${k}` })));
      }
    };
    for (const p of pairs) {
      sendAll(p, p.buyer, p.b, p.s, 60);
      sendAll(p, p.seller, p.s, p.b, 40);
    }
    const replies = await withTimeout(Promise.all(acks), 60000, 'acks of the burst');
    for (const r of replies) assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(new Set(replies.map((r) => r._id)).size, PAIRS * PER_PAIR);

    const deadline = Date.now() + 30000;
    const complete = () => pairs.every((p) => p.received[p.b].length === PER_PAIR && p.received[p.s].length === PER_PAIR);
    while (!complete() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const p of pairs) {
      assert.equal(p.received[p.b].length, PER_PAIR, `${p.b} got ${p.received[p.b].length}`);
      assert.equal(p.received[p.s].length, PER_PAIR, `${p.s} got ${p.received[p.s].length}`);
    }

    for (const p of pairs) {
      const stored = await emitWithAck(p.buyer, 'sync', { limit: 500 });
      assert.equal(stored.messages.length, PER_PAIR, `stored in ${p.room}`);
      const storedIds = stored.messages.map((m) => m._id);
      assert.deepEqual([...storedIds].sort(), storedIds, 'sync is oldest first');
      for (const who of [p.b, p.s]) {
        // Same order as stored, on both sides of the room.
        assert.deepEqual(p.received[who].map((m) => m._id), storedIds, `${who} saw the room in store order`);
        for (const [sender, count] of [[p.b, 60], [p.s, 40]]) {
          const contents = p.received[who].filter((m) => m.from === sender).map((m) => m.content);
          assert.deepEqual(contents, Array.from({ length: count }, (_, k) => `${sender}#${k}`));
        }
      }
    }
  });
});
