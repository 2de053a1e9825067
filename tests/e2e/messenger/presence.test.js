'use strict';
// Presence: user_status when a user's first tab connects and last tab leaves, sent to the users
// who share a room with them; get_user_status.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { emitWithAck, waitFor, expectNoEvent, once } = require('../lib/harness');
const { user, createRoom, useMessenger } = require('./helpers');

describe('messenger presence', () => {
  let srv;
  useMessenger((started) => (srv = started));

  it('partners learn when the first tab connects and when the last tab leaves', async () => {
    const buyer = await user(srv, 'b1');
    const stranger = await user(srv, 'b2');
    // The room before the seller: then its arrival reaches b1 for certain (a room created after
    // the seller connects races that announcement).
    await createRoom(buyer, 'b1', 's1');
    const first = await user(srv, 's1', 'SELLER');
    assert.equal((await waitFor(buyer, 'user_status'))[0].online, true);
    first.close();
    const [offlineAfterSetup] = await waitFor(buyer, 'user_status');
    assert.equal(offlineAfterSetup.online, false);

    const tab1 = await user(srv, 's1', 'SELLER');
    const [online] = await waitFor(buyer, 'user_status');
    assert.equal(online.user_id, 's1');
    assert.equal(online.role, 'SELLER');
    assert.equal(online.online, true);

    const tab2 = await user(srv, 's1', 'SELLER');
    await expectNoEvent(buyer, 'user_status', 200);

    const status = await emitWithAck(buyer, 'get_user_status', { user_ids: ['s1', 'nobody'] });
    assert.equal(status.users.length, 2);
    assert.equal(status.users[0].user_id, 's1');
    assert.equal(status.users[0].online, true);
    assert.equal(status.users[1].user_id, 'nobody');
    assert.equal(status.users[1].online, false);
    assert.equal(status.users[1].last_seen, null);

    tab1.close();
    await expectNoEvent(buyer, 'user_status', 300);
    const before = Date.now();
    tab2.close();
    const [offline] = await waitFor(buyer, 'user_status');
    assert.equal(offline.user_id, 's1');
    assert.equal(offline.online, false);
    assert.ok(Date.parse(offline.last_seen) >= before - 1000);
    await expectNoEvent(stranger, 'user_status', 0);

    const after = await emitWithAck(buyer, 'get_user_status', { user_ids: ['s1'] });
    assert.equal(after.users[0].online, false);
    assert.equal(after.users[0].last_seen, offline.last_seen);
  });

  it('a dropped connection (no clean disconnect) also ends presence', async () => {
    const buyer = await user(srv, 'b3');
    await createRoom(buyer, 'b3', 's3');
    const seller = await user(srv, 's3', 'SELLER', { transports: ['websocket'] });
    assert.equal((await waitFor(buyer, 'user_status'))[0].online, true);
    const gone = once(seller, 'disconnect');
    seller.io.engine.close();  // the transport closes without a namespace DISCONNECT
    await gone;
    const [offline] = await waitFor(buyer, 'user_status');
    assert.equal(offline.user_id, 's3');
    assert.equal(offline.online, false);
  });
});
