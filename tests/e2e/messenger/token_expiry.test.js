'use strict';
// A session lasts as long as its token: once `exp` (plus the server's 30 s leeway) has passed,
// the socket gets verify_user {status: false, reason: "token expired"} and is disconnected, even
// when idle; verify_user with a fresh token extends the session.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { emitWithAck, waitFor, once, sleep } = require('../lib/harness');
const { token, user, useMessenger } = require('./helpers');

// Still accepted thanks to the leeway, no longer accepted about two seconds from now.
function nearlyExpiredToken(userId) {
  return token(userId, { exp: Math.floor(Date.now() / 1000) - 28 });
}

describe('messenger token expiry during a session', () => {
  let srv;
  useMessenger((started) => (srv = started));

  it('an idle socket whose token expires is told so and disconnected', async () => {
    const buyer = await user(srv, 'b1', 'BUYER', { tokenValue: nearlyExpiredToken('b1') });
    const disconnected = once(buyer, 'disconnect', 6000);
    const [verdict] = await waitFor(buyer, 'verify_user', 6000);
    assert.deepEqual(verdict, { status: false, reason: 'token expired' });
    const [reason] = await disconnected;
    assert.equal(reason, 'io server disconnect');
  });

  it('verify_user with a fresh token extends the session', async () => {
    const buyer = await user(srv, 'b1', 'BUYER', { tokenValue: nearlyExpiredToken('b1') });
    const reply = await emitWithAck(buyer, 'verify_user', { token: token('b1'), user_id: 'b1', user_role: 'BUYER' });
    assert.deepEqual(reply, { status: true });
    await waitFor(buyer, 'verify_user');  // the same verdict as an event
    await sleep(3500);  // past the first token's deadline
    assert.ok(buyer.connected, 'still connected');
    const synced = await emitWithAck(buyer, 'sync', {});
    assert.deepEqual(synced.messages, []);
  });
});
