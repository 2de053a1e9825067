'use strict';
// Found by trying the server as a hostile client would (issue 14, part 0); each must stay fixed:
// an edit cannot store (and the server then send) what new_message refuses; presence is not
// readable by strangers; a '.' in user ids cannot make room ids collide; an unknown event with
// an ack gets an error ack.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { waitFor, emitWithAck, expectNoEvent, closeAllSockets } = require('../lib/harness');
const { token, startRestServer, api, messengerSocket, createRoom, sendMessage } = require('../rest/helpers');

describe('hostile clients (found in issue 14)', () => {
  let srv;
  before(async () => {
    srv = await startRestServer();
  });
  after(async () => {
    closeAllSockets();
    await srv.stop();
  });

  it('an edit with a lone surrogate or a NUL is refused like new_message, and the receiver stays up', { timeout: 20000 }, async () => {
    const buyer = await messengerSocket(srv, 'hb1', 'BUYER');
    const seller = await messengerSocket(srv, 'hs1', 'SELLER');
    await createRoom(srv, 'hb1', 'hs1');
    const m = await sendMessage(buyer, { room_id: 'hb1.hs1', from: 'hb1', to: 'hs1', content: 'original' });
    await waitFor(seller, 'new_message');
    const b = token('hb1', 'BUYER');
    // The body, byte for byte: JSON escapes that decode to invalid UTF-8 and a NUL.
    for (const raw of ['{"content":"bad\\udc00\\u0000end"}', '{"content":"bad\\udc00end"}', '{"content":"a\\u0000b"}']) {
      const edit = await api(srv, 'PUT', `/v1/messages/${m._id}`, { token: b, raw, headers: { 'content-type': 'application/json' } });
      assert.equal(edit.status, 400, raw);
      assert.equal(edit.body.error.code, 'VALIDATION_ERROR', raw);
      const viaSocket = await emitWithAck(buyer, 'new_message', { room_id: 'hb1.hs1', from: 'hb1', to: 'hs1', type: 'TEXT', content: JSON.parse(raw).content });
      assert.equal(viaSocket.error.code, 'VALIDATION_ERROR');
      assert.equal(viaSocket.error.message, edit.body.error.message, 'one content check for every path');
    }
    await expectNoEvent(seller, 'message_updated', 200);
    assert.equal(seller.connected, true);
    // The store still holds the original, and the receiver's sync over WebSocket works.
    const caughtUp = await emitWithAck(seller, 'sync', {});
    assert.deepEqual(caughtUp.messages.map((x) => x.content), ['original']);
    const fixed = await api(srv, 'PUT', `/v1/messages/${m._id}`, { token: b, body: { content: 'caf\u00e9 \u{1F600}' } });
    assert.equal(fixed.status, 200);
    const [updated] = await waitFor(seller, 'message_updated');
    assert.equal(updated.content, 'caf\u00e9 \u{1F600}');
  });

  it('get_user_status answers only for users who share a room with the caller', { timeout: 15000 }, async () => {
    const buyer = await messengerSocket(srv, 'pb1', 'BUYER');
    await messengerSocket(srv, 'ps1', 'SELLER');
    const carol = await messengerSocket(srv, 'carol', 'SELLER');
    await createRoom(srv, 'pb1', 'ps1');
    const reply = await emitWithAck(buyer, 'get_user_status', { user_ids: ['carol', 'ps1'] });
    assert.deepEqual(reply.users[0], { user_id: 'carol', role: null, online: false, last_seen: null },
      'carol is online, but shares no room with pb1: she reads as unknown');
    assert.equal(reply.users[1].user_id, 'ps1');
    assert.equal(reply.users[1].online, true);
    assert.equal(reply.users[1].role, 'SELLER');
    const own = await emitWithAck(carol, 'get_user_status', { user_ids: ['carol'] });
    assert.equal(own.users[0].online, true, 'a user may read its own status');
  });

  it("a '.' in user ids cannot take another pair's room", { timeout: 15000 }, async () => {
    const xy = await messengerSocket(srv, 'x.y', 'BUYER');
    const x = await messengerSocket(srv, 'x', 'BUYER');
    const yz = await messengerSocket(srv, 'y.z', 'SELLER');
    const first = await emitWithAck(xy, 'create_room', { type: 'BS', buyer: 'x.y', seller: 'z', shop_id: 'shop-z' });
    assert.equal(first.error, undefined, JSON.stringify(first.error));
    const second = await emitWithAck(x, 'create_room', { type: 'BS', buyer: 'x', seller: 'y.z', shop_id: 'shop-yz' });
    assert.equal(second.error, undefined, JSON.stringify(second.error));
    assert.equal(second.outcome, 'created');
    assert.notEqual(first.room._id, second.room._id);
    assert.equal(second.room._id, 'x.y%2Ez');
    const sent = await sendMessage(x, { room_id: second.room._id, from: 'x', to: 'y.z', content: 'hello y.z' });
    const [delivered] = await waitFor(yz, 'new_message');
    assert.equal(delivered._id, sent._id);
    // Ordinary ids keep the original's "<buyer>.<seller>".
    assert.equal((await createRoom(srv, 'ob1', 'os1'))._id, 'ob1.os1');
  });

  it('an unknown event with an ack gets an error ack', { timeout: 10000 }, async () => {
    const socket = await messengerSocket(srv, 'ub1', 'BUYER');
    const reply = await emitWithAck(socket, 'no_such_event', { x: 1 });
    assert.equal(reply.error.code, 'UNKNOWN_EVENT');
    socket.emit('no_such_event_either');  // without an ack: ignored, the socket stays up
    assert.equal((await emitWithAck(socket, 'get_user_status', { user_ids: [] })).users.length, 0);
  });
});
