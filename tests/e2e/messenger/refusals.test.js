'use strict';
// Bad input: every refusal has a stable code and a message, nothing is stored or delivered, and
// the connection stays up. With an ack the refusal is the ack {error}; without, an `error` event.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { emitWithAck, waitFor, expectNoEvent, closeAllSockets } = require('../lib/harness');
const { startMessenger, user, createRoom, refused, messagePayload } = require('./helpers');

describe('messenger refusals', () => {
  let srv;
  let buyer;
  let seller;
  let other;
  before(async () => {
    srv = await startMessenger(['--max-message-size', '100']);
  });
  after(async () => {
    closeAllSockets();
    await srv.stop();
  });
  afterEach(async () => {
    // Nothing refused reached anyone, and everybody is still connected.
    await expectNoEvent(seller, 'new_message', 50);
    await expectNoEvent(seller, 'typing', 0);
    await expectNoEvent(seller, 'seen_messages', 0);
    for (const s of [buyer, seller, other]) assert.ok(s.connected);
    const synced = await emitWithAck(seller, 'sync', {});
    assert.deepEqual(synced.messages, [], 'nothing was stored');
    closeAllSockets();
  });

  async function setup() {
    [buyer, seller, other] = await Promise.all([user(srv, 'b1'), user(srv, 's1', 'SELLER'), user(srv, 'b2')]);
    await createRoom(buyer, 'b1', 's1');
    await createRoom(other, 'b2', 's1');
    await waitFor(seller, 'create_room');
    await waitFor(seller, 'create_room');
  }

  const ok = () => messagePayload('b1', 's1', 'fine');

  const cases = [
    ['a forged from', () => ({ ...ok(), from: 's1', to: 'b1' }), 'FORBIDDEN'],
    ['a room of other users', () => ({ ...ok(), room_id: 'b2.s1' }), 'FORBIDDEN'],
    ['a `to` outside the room', () => ({ ...ok(), to: 'b2' }), 'FORBIDDEN'],
    ['an unknown room', () => ({ ...ok(), room_id: 'b1.nobody', to: 'nobody' }), 'ROOM_NOT_FOUND'],
    ['a missing content', () => { const p = ok(); delete p.content; return p; }, 'VALIDATION_ERROR'],
    ['an empty content', () => ({ ...ok(), content: '' }), 'VALIDATION_ERROR'],
    ['a number as content', () => ({ ...ok(), content: 42 }), 'VALIDATION_ERROR'],
    ['an oversized content', () => ({ ...ok(), content: 'x'.repeat(101) }), 'CONTENT_TOO_LARGE'],
    ['an unknown message type', () => ({ ...ok(), type: 'VIDEO' }), 'UNKNOWN_MESSAGE_TYPE'],
    ['a missing room_id', () => { const p = ok(); delete p.room_id; return p; }, 'VALIDATION_ERROR'],
    ['an object as from', () => ({ ...ok(), from: { id: 'b1' } }), 'VALIDATION_ERROR'],
    ['a string instead of an object', () => 'hello', 'VALIDATION_ERROR'],
    ['no payload at all', () => undefined, 'VALIDATION_ERROR'],
  ];
  for (const [what, payload, code] of cases) {
    it(`new_message with ${what}: ${code}`, async () => {
      await setup();
      await refused(buyer, 'new_message', payload(), code);
    });
  }

  it('a user outside the room cannot post into it', async () => {
    await setup();
    await refused(other, 'new_message', messagePayload('b2', 's1', 'hi', { room_id: 'b1.s1' }), 'FORBIDDEN');
  });

  it('without an ack, the refusal is an `error` event', async () => {
    await setup();
    buyer.emit('new_message', { ...ok(), from: 's1', to: 'b1' });
    const [err] = await waitFor(buyer, 'error');
    assert.equal(err.event, 'new_message');
    assert.equal(err.code, 'FORBIDDEN');
    assert.equal(typeof err.message, 'string');
  });

  it('typing and stop_typing are checked like new_message', async () => {
    await setup();
    await refused(buyer, 'typing', { room_id: 'b1.s1', from: 's1', to: 'b1' }, 'FORBIDDEN');
    await refused(other, 'stop_typing', { room_id: 'b1.s1', from: 'b2', to: 's1' }, 'FORBIDDEN');
    await refused(buyer, 'typing', { room_id: 'b1.s1', from: 'b1' }, 'VALIDATION_ERROR');
    await refused(buyer, 'typing', { room_id: 'b1.zz', from: 'b1', to: 'zz' }, 'ROOM_NOT_FOUND');
  });

  it('seen_messages: too many ids, wrong types, other users', async () => {
    await setup();
    const ids = Array.from({ length: 101 }, (_, i) => `id-${i}`);
    await refused(seller, 'seen_messages', { room_id: 'b1.s1', from: 's1', to: 'b1', message_ids: ids }, 'TOO_MANY_IDS');
    await refused(seller, 'seen_messages', { room_id: 'b1.s1', from: 's1', to: 'b1', message_ids: 'all' }, 'VALIDATION_ERROR');
    await refused(other, 'seen_messages', { room_id: 'b1.s1', from: 'b2', to: 's1', message_ids: [] }, 'FORBIDDEN');
  });

  it('create_room: same buyer and seller, someone else\'s room, missing fields', async () => {
    await setup();
    await refused(buyer, 'create_room', { type: 'BS', buyer: 'b1', seller: 'b1' }, 'VALIDATION_ERROR');
    await refused(other, 'create_room', { type: 'BS', buyer: 'b1', seller: 's1' }, 'FORBIDDEN');
    await refused(buyer, 'create_room', { type: 'BS', seller: 's1' }, 'VALIDATION_ERROR');
    await refused(buyer, 'create_room', { type: 'XX', buyer: 'b1', seller: 's1' }, 'VALIDATION_ERROR');
  });

  it('sync and get_user_status validate their input', async () => {
    await setup();
    await refused(buyer, 'sync', { since: 'not a time' }, 'VALIDATION_ERROR');
    await refused(buyer, 'sync', { limit: -1 }, 'VALIDATION_ERROR');
    await refused(buyer, 'get_user_status', { user_ids: Array.from({ length: 101 }, (_, i) => `u${i}`) }, 'TOO_MANY_IDS');
    await refused(buyer, 'get_user_status', { user_ids: 'b1' }, 'VALIDATION_ERROR');
  });
});
