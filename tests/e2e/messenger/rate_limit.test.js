'use strict';
// Per-socket event rate (issue 14, part 2): a socket that floods new_message gets its burst
// stored, then RATE_LIMITED, then is disconnected; another user sending meanwhile is served
// throughout, and the store holds the flooder's burst and nothing of what was refused.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { emitWithAck, once, withTimeout } = require('../lib/harness');
const { user, createRoom, messagePayload, send, useMessenger } = require('./helpers');

const RATE = 20;
const BURST = 50;
const MAX_REFUSED = 100;
const FLOOD = 2000;

describe('messenger event rate limit', () => {
  let srv;
  useMessenger((started) => (srv = started), [
    '--event-rate', String(RATE), '--event-burst', String(BURST), '--max-refused-events', String(MAX_REFUSED),
  ]);

  it('a flooder is limited and then disconnected; another user keeps being served', { timeout: 60000 }, async () => {
    const flooder = await user(srv, 'b-flood', 'BUYER', { transports: ['websocket'] });
    const target = await user(srv, 's-flood', 'SELLER', { transports: ['websocket'] });
    const buyer = await user(srv, 'b-calm', 'BUYER', { transports: ['websocket'] });
    const seller = await user(srv, 's-calm', 'SELLER', { transports: ['websocket'] });
    await createRoom(flooder, 'b-flood', 's-flood');
    await createRoom(buyer, 'b-calm', 's-calm');

    const stored = [];
    const codes = new Map();
    const errorEvents = [];
    flooder.on('error', (e) => errorEvents.push(e));
    const gone = once(flooder, 'disconnect', 30000);
    const started = Date.now();
    for (let i = 0; i < FLOOD; i++) {
      flooder.emit('new_message', messagePayload('b-flood', 's-flood', `flood ${i}`, { client_message_id: `f${i}` }), (reply) => {
        if (reply && reply.error) codes.set(reply.error.code, (codes.get(reply.error.code) || 0) + 1);
        else stored.push(reply._id);
      });
    }
    // Meanwhile the calm pair talks, one message at a time, and every message goes through.
    for (let i = 0; i < 10; i++) await send(buyer, 'b-calm', 's-calm', `calm ${i}`);
    const [reason] = await gone;
    const elapsedS = (Date.now() - started) / 1000;
    assert.ok(['io server disconnect', 'transport close'].includes(reason), reason);
    for (let i = 10; i < 20; i++) await send(buyer, 'b-calm', 's-calm', `calm ${i}`);

    // The calm pair's later messages went through the store's one writer after the flood's:
    // now every flood message the server accepted is committed.
    const floodRoom = await emitWithAck(target, 'sync', { limit: 500 });
    const inStore = floodRoom.messages.map((m) => m._id);
    // Accepted: the burst (less create_room's token) plus what refilled meanwhile, no more.
    // Acks still in flight when the connection closed are lost, but each one received is in
    // the store.
    assert.ok(inStore.length >= BURST - 1, `the burst is stored (${inStore.length})`);
    assert.ok(inStore.length <= BURST + 1 + RATE * elapsedS, `no more than burst + rate x time (${inStore.length})`);
    for (const id of stored) assert.ok(inStore.includes(id), `acked ${id} is stored`);
    assert.ok((codes.get('RATE_LIMITED') || 0) >= 1, JSON.stringify([...codes]));
    assert.deepEqual([...codes.keys()], ['RATE_LIMITED']);
    assert.equal(errorEvents.length, 0, 'refusals of events with an ack are acks');

    const calm = await emitWithAck(seller, 'sync', { limit: 500 });
    assert.equal(calm.messages.length, 20);
    assert.deepEqual(calm.messages.map((m) => m.content), Array.from({ length: 20 }, (_, i) => `calm ${i}`));
  });

  it('over the burst, events are refused without a disconnect, and the budget comes back', { timeout: 30000 }, async () => {
    const buyer = await user(srv, 'b-ok', 'BUYER', { transports: ['websocket'] });
    await user(srv, 's-ok', 'SELLER', { transports: ['websocket'] });
    await createRoom(buyer, 'b-ok', 's-ok');
    const typing = () => emitWithAck(buyer, 'typing', { room_id: 'b-ok.s-ok', from: 'b-ok', to: 's-ok' });
    // The burst and 20 more at once: at most the burst (plus what refilled meanwhile) served,
    // the rest refused, and the socket stays connected.
    const replies = await withTimeout(Promise.all(Array.from({ length: BURST + 20 }, typing)), 20000, 'typing acks');
    const refused = replies.filter((r) => r.error);
    assert.ok(refused.length > 0 && refused.length <= 21, `refused ${refused.length}`);  // create_room took one token
    for (const r of refused) assert.equal(r.error.code, 'RATE_LIMITED');
    assert.equal(buyer.connected, true);
    let served;
    for (let i = 0; i < 100 && !served; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const r = await typing();
      if (!r.error) served = r;
    }
    assert.ok(served, 'tokens come back at the rate');
  });
});
