'use strict';
// seen_messages reaches the other participant and the reader's OTHER tabs (so every tab of the
// reader clears its unread badge); the reading tab has the ack.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { emitWithAck, waitFor, expectNoEvent } = require('../lib/harness');
const { user, createRoom, send, useMessenger } = require('./helpers');

describe('messenger seen_messages across tabs', () => {
  let srv;
  useMessenger((started) => (srv = started));

  it('the sender and every other tab of the reader learn which messages were read', async () => {
    const buyer = await user(srv, 'b1');
    const reader = await user(srv, 's1', 'SELLER');
    const readerTab2 = await user(srv, 's1', 'SELLER', { transports: ['websocket'] });
    const stranger = await user(srv, 'b2');
    await createRoom(buyer, 'b1', 's1');
    const m1 = await send(buyer, 'b1', 's1', 'one');
    const m2 = await send(buyer, 'b1', 's1', 'two');

    const ack = await emitWithAck(reader, 'seen_messages', { room_id: 'b1.s1', from: 's1', to: 'b1', message_ids: [m1._id, m2._id] });
    assert.deepEqual(ack, { status: true, message_ids: [m1._id, m2._id] });
    const expected = { room_id: 'b1.s1', from: 's1', to: 'b1', message_ids: [m1._id, m2._id] };
    assert.deepEqual((await waitFor(buyer, 'seen_messages'))[0], expected);
    assert.deepEqual((await waitFor(readerTab2, 'seen_messages'))[0], expected);
    await expectNoEvent(reader, 'seen_messages', 200);
    await expectNoEvent(stranger, 'seen_messages', 0);
    await expectNoEvent(readerTab2, 'seen_messages', 0);  // exactly once

    // Nothing newly marked: nobody is told.
    const again = await emitWithAck(readerTab2, 'seen_messages', { room_id: 'b1.s1', from: 's1', to: 'b1' });
    assert.deepEqual(again, { status: true, message_ids: [] });
    await expectNoEvent(buyer, 'seen_messages', 200);
    await expectNoEvent(reader, 'seen_messages', 0);
  });
});
