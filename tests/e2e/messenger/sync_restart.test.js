'use strict';
// Durability and catch-up: what was acked survives a restart, and a user who was offline gets
// exactly what they missed with `sync`.
const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { emitWithAck, waitFor, closeAllSockets } = require('../lib/harness');
const { startMessenger, user, createRoom, send } = require('./helpers');

describe('messenger sync and restart', () => {
  let srv;
  after(async () => {
    closeAllSockets();
    if (srv) await srv.stop();
  });

  it('messages survive a restart; sync returns exactly what a disconnected user missed', { timeout: 60000 }, async () => {
    srv = await startMessenger();
    let buyer = await user(srv, 'b1');
    let seller = await user(srv, 's1', 'SELLER');
    await createRoom(buyer, 'b1', 's1');
    const seenBySeller = [];
    for (let i = 0; i < 3; i++) seenBySeller.push(await send(buyer, 'b1', 's1', `before ${i}`));
    for (let i = 0; i < 3; i++) await waitFor(seller, 'new_message');
    const lastKnown = seenBySeller[seenBySeller.length - 1]._id;

    // The seller goes away; the buyer keeps writing, in two rooms.
    seller.close();
    const missed = [];
    for (let i = 0; i < 4; i++) missed.push(await send(buyer, 'b1', 's1', `while away ${i}`));
    const other = await user(srv, 'b2');
    await createRoom(other, 'b2', 's1');
    missed.push(await send(other, 'b2', 's1', 'from another buyer'));

    await srv.restart();
    closeAllSockets();

    seller = await user(srv, 's1', 'SELLER');
    const caughtUp = await emitWithAck(seller, 'sync', { since: lastKnown });
    assert.equal(caughtUp.has_more, false);
    assert.deepEqual(caughtUp.messages.map((m) => m._id), missed.map((m) => m._id));
    assert.deepEqual(caughtUp.messages.map((m) => m.content), missed.map((m) => m.content));
    assert.equal(caughtUp.next_since, missed[missed.length - 1]._id);

    // Paging, and a time cursor.
    const page = await emitWithAck(seller, 'sync', { since: lastKnown, limit: 2 });
    assert.equal(page.messages.length, 2);
    assert.equal(page.has_more, true);
    const rest = await emitWithAck(seller, 'sync', { since: page.next_since, limit: 100 });
    assert.deepEqual([...page.messages, ...rest.messages].map((m) => m._id), missed.map((m) => m._id));
    const everything = await emitWithAck(seller, 'sync', { since: '1970-01-01T00:00:00.000Z' });
    assert.equal(everything.messages.length, seenBySeller.length + missed.length);

    // The store still works after the restart: a retry of a pre-restart message is recognised.
    buyer = await user(srv, 'b1');
    const retry = await emitWithAck(buyer, 'new_message', {
      room_id: 'b1.s1', from: 'b1', to: 's1', type: 'TEXT', content: 'x', client_message_id: 'pre-restart',
    });
    const again = await emitWithAck(buyer, 'new_message', {
      room_id: 'b1.s1', from: 'b1', to: 's1', type: 'TEXT', content: 'x', client_message_id: 'pre-restart',
    });
    assert.equal(again._id, retry._id);
  });

  // The SQLite store acknowledges a message once its log holds it and indexes it later
  // (src/store/README.md): a crash in between must lose nothing either.
  it('every acked message survives a kill -9 right after its ack', { timeout: 60000 }, async () => {
    if (srv) await srv.stop();
    // No event rate limit: the burst of 200 messages from one socket (plus its create_room)
    // would otherwise exceed --event-burst whenever the machine sends it in under 20 ms.
    srv = await startMessenger(['--event-rate', '0']);
    const buyer = await user(srv, 'kb1');
    const seller = await user(srv, 'ks1', 'SELLER');
    await createRoom(buyer, 'kb1', 'ks1');
    const acks = [];
    for (let i = 0; i < 300; i++) {
      const [socket, from, to] = i % 3 ? [buyer, 'kb1', 'ks1'] : [seller, 'ks1', 'kb1'];
      acks.push(emitWithAck(socket, 'new_message', {
        room_id: 'kb1.ks1', from, to, type: 'TEXT', content: `burst ${i}`, client_message_id: `k-${i}`,
      }));
    }
    const acked = await Promise.all(acks);
    for (const a of acked) assert.equal(a.error, undefined, JSON.stringify(a.error));
    const exit = await srv.kill('SIGKILL');
    assert.equal(exit.signal, 'SIGKILL');
    closeAllSockets();

    await srv.restart();
    const back = await user(srv, 'ks1', 'SELLER');
    const stored = await emitWithAck(back, 'sync', { since: '1970-01-01T00:00:00.000Z', limit: 500 });
    const byId = new Map(stored.messages.map((m) => [m._id, m]));
    for (const [i, a] of acked.entries()) {
      assert.ok(byId.has(a._id), `acked message ${i} (${a._id}) lost in the crash`);
      assert.equal(byId.get(a._id).content, `burst ${i}`);
    }
    assert.equal(stored.messages.length, acked.length);
    // A retry after the crash is still recognised as one.
    const again = await emitWithAck(await user(srv, 'kb1'), 'new_message', {
      room_id: 'kb1.ks1', from: 'kb1', to: 'ks1', type: 'TEXT', content: 'again', client_message_id: 'k-1',
    });
    assert.equal(again._id, acked[1]._id);
  });
});
