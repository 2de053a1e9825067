'use strict';
// Every REST route's success case, with the original service's response shapes, the room list
// after messages, pins and deletes, and the socket events REST changes announce.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { waitFor, expectNoEvent } = require('../lib/harness');
const { token, startRestServer, api, messengerSocket, createRoom, sendMessage } = require('./helpers');

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MESSAGE_KEYS = ['_id', 'content', 'created_at', 'from', 'is_seen', 'room_id', 'to', 'type', 'updated_at'];
const BUYER_ROOM_KEYS = ['_id', 'buyer', 'buyer_last_message', 'buyer_unseen_messages', 'created_at', 'creator',
  'deleted_by_buyer', 'enable', 'seller', 'shop', 'shop_id', 'type', 'updated_at'];

function assertMessage(m) {
  for (const key of MESSAGE_KEYS) assert.ok(key in m, `message lacks ${key}`);
  assert.match(m.created_at, ISO);
  assert.match(m.updated_at, ISO);
  assert.ok(['TEXT', 'IMAGE', 'EMOJI'].includes(m.type));
}

describe('REST routes', () => {
  let srv;
  let buyer;
  let seller;
  const b = token('b1', 'BUYER');
  const s = token('s1', 'SELLER');

  before(async () => {
    srv = await startRestServer();
    buyer = await messengerSocket(srv, 'b1', 'BUYER');
    seller = await messengerSocket(srv, 's1', 'SELLER');
  });
  after(async () => {
    buyer.close();
    seller.close();
    await srv.stop();
  });

  it('POST /v1/rooms: created, exists, re-enabled', { timeout: 15000 }, async () => {
    const created = await api(srv, 'POST', '/v1/rooms', {
      token: b,
      body: { type: 'BS', buyer: 'b1', seller: 's1', shop_id: 42, creator: 'b1', shop: { name: 'Shop One', logo: 'l.png' }, buyer_info: { name: 'Bob', avatar: 'a.png' } },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.status, true);
    assert.equal(created.body.message, 'Created room successfully!');
    assert.equal(created.body.room._id, 'b1.s1');
    assert.equal(created.body.room.shop_id, '42');
    assert.deepEqual(created.body.room.shop, { name: 'Shop One', logo: 'l.png' });
    const announced = await waitFor(seller, 'create_room');
    assert.equal(announced[0]._id, 'b1.s1');
    assert.equal(announced[0].buyer_info.name, 'Bob');

    const exists = await api(srv, 'POST', '/v1/rooms', { token: s, body: { buyer: 'b1', seller: 's1', creator: 's1' } });
    assert.equal(exists.status, 200);
    assert.equal(exists.body.status, false);
    assert.equal(exists.body.message, 'Room exists!');
    assert.equal(exists.body.room._id, 'b1.s1');
  });

  it('GET /v1/rooms/:room_id', { timeout: 10000 }, async () => {
    const res = await api(srv, 'GET', '/v1/rooms/b1.s1', { token: b });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body), ['room']);
    assert.deepEqual(Object.keys(res.body.room).sort(), BUYER_ROOM_KEYS);
    const sellerView = await api(srv, 'GET', '/v1/rooms/b1.s1?user_id=s1&role=SELLER', { token: s });
    assert.equal(sellerView.body.room.buyer_info.name, 'Bob');
    assert.equal(sellerView.body.room.shop, undefined);
  });

  it('messages over the socket show in GET /v1/messages and the room list', { timeout: 15000 }, async () => {
    const m1 = await sendMessage(buyer, { room_id: 'b1.s1', from: 'b1', to: 's1', content: 'hello' });
    const m2 = await sendMessage(seller, { room_id: 'b1.s1', from: 's1', to: 'b1', content: 'hi there', client_message_id: 'c-2' });
    const page = await api(srv, 'GET', '/v1/messages?room_id=b1.s1', { token: b });
    assert.equal(page.status, 200);
    assert.deepEqual(Object.keys(page.body), ['room_id', 'filters', 'data']);
    assert.equal(page.body.room_id, 'b1.s1');
    assert.equal(page.body.filters.message_count, 15);
    assert.equal(page.body.filters.from, null);
    assert.deepEqual(page.body.data.map((m) => m._id), [m1._id, m2._id]);
    page.body.data.forEach(assertMessage);
    assert.equal(page.body.data[1].client_message_id, 'c-2');

    const newest = await api(srv, 'GET', `/v1/messages?room_id=b1.s1&created_at=-1&limit=1&from=${encodeURIComponent(new Date(Date.now() + 60000).toISOString())}`, { token: s });
    assert.equal(newest.status, 200);
    assert.deepEqual(newest.body.data.map((m) => m._id), [m2._id]);
    assert.match(newest.body.filters.from, ISO);
    assert.equal(newest.body.filters.next_cursor, m2._id);

    const list = await api(srv, 'GET', '/v1/rooms?user_id=b1&role=BUYER', { token: b });
    assert.equal(list.status, 200);
    assert.deepEqual(Object.keys(list.body), ['user_id', 'role', 'rooms']);
    assert.equal(list.body.user_id, 'b1');
    assert.equal(list.body.role, 'BUYER');
    assert.equal(list.body.rooms.length, 1);
    const room = list.body.rooms[0];
    assert.equal(room.buyer_last_message._id, m2._id);
    assert.equal(room.buyer_unseen_messages, 1);
    assert.equal(room.buyer_last_message.is_seen, false);
  });

  it('GET /v1/unread and PUT /v1/rooms/:room_id/seen', { timeout: 15000 }, async () => {
    const unread = await api(srv, 'GET', '/v1/unread', { token: b });
    assert.equal(unread.status, 200);
    assert.deepEqual(unread.body, { user_id: 'b1', total: 1, rooms: [{ room_id: 'b1.s1', unseen: 1 }] });

    const seen = await api(srv, 'PUT', '/v1/rooms/b1.s1/seen', { token: b, body: { user_id: 'b1', role: 'BUYER' } });
    assert.equal(seen.status, 200);
    assert.equal(seen.body.status, true);
    assert.equal(seen.body.room.buyer_unseen_messages, 0);
    assert.equal(seen.body.room.buyer_last_message.is_seen, true);
    const [event] = await waitFor(seller, 'seen_messages');
    assert.equal(event.room_id, 'b1.s1');
    assert.equal(event.from, 'b1');
    assert.equal(event.message_ids.length, 1);
    assert.equal((await api(srv, 'GET', '/v1/unread', { token: b })).body.total, 0);
  });

  it('PUT /v1/messages/:id edits and announces message_updated to both users', { timeout: 15000 }, async () => {
    const m = await sendMessage(buyer, { room_id: 'b1.s1', from: 'b1', to: 's1', content: 'typo' });
    const res = await api(srv, 'PUT', `/v1/messages/${m._id}`, { token: b, body: { content: 'fixed' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, true);
    assert.equal(res.body.data._id, m._id);
    assert.equal(res.body.data.content, 'fixed');
    assertMessage(res.body.data);
    for (const socket of [buyer, seller]) {
      const [updated] = await waitFor(socket, 'message_updated');
      assert.equal(updated._id, m._id);
      assert.equal(updated.content, 'fixed');
    }
    const other = await api(srv, 'PUT', `/v1/messages/${m._id}`, { token: s, body: { content: 'hacked' } });
    assert.equal(other.status, 403);
    const unknown = await api(srv, 'PUT', '/v1/messages/01HF0000000000000000000000', { token: b, body: { content: 'x' } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'MESSAGE_NOT_FOUND');
  });

  it('POST /v1/messages stores and delivers like the socket', { timeout: 15000 }, async () => {
    const res = await api(srv, 'POST', '/v1/messages', { token: s, body: { room_id: 'b1.s1', from: 's1', to: 'b1', type: 'EMOJI', content: ':)' } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, true);
    assertMessage(res.body.data);
    // Earlier new_message events are still in the inbox: look for this one.
    let delivered;
    do [delivered] = await waitFor(buyer, 'new_message');
    while (delivered._id !== res.body.data._id);
    assert.equal(delivered.content, ':)');
  });

  it('pins: POST and DELETE /v1/rooms/:room_id/pin', { timeout: 15000 }, async () => {
    await createRoom(srv, 'b1', 's2', { shop: 'Second Shop' });
    const pin = await api(srv, 'POST', '/v1/rooms/b1.s2/pin', { token: b, body: { user_id: 'b1', role: 'BUYER' } });
    assert.equal(pin.status, 200);
    assert.equal(pin.body.status, true);
    assert.match(pin.body.room.pinned_by_buyer, ISO);

    let list = await api(srv, 'GET', '/v1/rooms?role=BUYER', { token: b });
    assert.deepEqual(list.body.rooms.map((r) => r._id), ['b1.s2', 'b1.s1']);
    assert.deepEqual((await api(srv, 'GET', '/v1/rooms?role=BUYER&pinned=1', { token: b })).body.rooms.map((r) => r._id), ['b1.s2']);
    assert.deepEqual((await api(srv, 'GET', '/v1/rooms?role=BUYER&pinned=0', { token: b })).body.rooms.map((r) => r._id), ['b1.s1']);
    assert.deepEqual((await api(srv, 'GET', '/v1/rooms?role=BUYER&name=SECOND', { token: b })).body.rooms.map((r) => r._id), ['b1.s2']);
    for (const room of list.body.rooms) assert.deepEqual(Object.keys(room).filter((k) => k.startsWith('seller')), ['seller']);

    const unpin = await api(srv, 'DELETE', '/v1/rooms/b1.s2/pin', { token: b, body: { role: 'BUYER' } });
    assert.equal(unpin.status, 200);
    assert.equal(unpin.body.status, true);
    assert.equal(unpin.body.room.pinned_by_buyer, undefined);
    list = await api(srv, 'GET', '/v1/rooms?role=BUYER', { token: b });
    assert.deepEqual(list.body.rooms.map((r) => r._id), ['b1.s1', 'b1.s2']); // by last message now
  });

  it('DELETE /v1/rooms/:room_id (per side) and PUT .../enable, announced to the other user', { timeout: 15000 }, async () => {
    const del = await api(srv, 'DELETE', '/v1/rooms/b1.s1?role=SELLER', { token: s });
    assert.equal(del.status, 200, JSON.stringify(del.body));
    assert.deepEqual(Object.keys(del.body), ['status', 'role', 'deleted_at']);
    assert.equal(del.body.role, 'SELLER');
    assert.match(del.body.deleted_at, ISO);
    const [event] = await waitFor(buyer, 'room_deleted');
    assert.deepEqual({ ...event, at: undefined }, { room_id: 'b1.s1', user_id: 's1', role: 'SELLER', deleted: true, at: undefined });
    await expectNoEvent(seller, 'room_deleted');

    assert.deepEqual((await api(srv, 'GET', '/v1/rooms?role=SELLER', { token: s })).body.rooms, []);
    assert.equal((await api(srv, 'GET', '/v1/rooms?role=BUYER', { token: b })).body.rooms.length, 2);

    const enable = await api(srv, 'PUT', '/v1/rooms/b1.s1/enable', { token: s, body: { role: 'SELLER' } });
    assert.equal(enable.status, 200);
    assert.equal(enable.body.status, true);
    assert.equal(enable.body.message, 'Enable room successfully!');
    assert.equal(enable.body.room.deleted_by_seller, false);
    await waitFor(buyer, 'room_enabled');
    assert.equal((await api(srv, 'GET', '/v1/rooms?role=SELLER', { token: s })).body.rooms.length, 1);

    // Deleted by the creator's side, then created again: re-enabled.
    await api(srv, 'DELETE', '/v1/rooms/b1.s2', { token: b });
    const again = await api(srv, 'POST', '/v1/rooms', { token: b, body: { buyer: 'b1', seller: 's2' } });
    assert.equal(again.body.status, true);
    assert.equal(again.body.message, 'Room exists and re-enable room for seller and buyer');
  });

  it('a message brings a deleted room back to the list', { timeout: 15000 }, async () => {
    await api(srv, 'DELETE', '/v1/rooms/b1.s1', { token: b });
    assert.deepEqual((await api(srv, 'GET', '/v1/rooms?role=BUYER', { token: b })).body.rooms.map((r) => r._id), ['b1.s2']);
    await sendMessage(seller, { room_id: 'b1.s1', from: 's1', to: 'b1', content: 'still there?' });
    const list = await api(srv, 'GET', '/v1/rooms?role=BUYER', { token: b });
    assert.deepEqual(list.body.rooms.map((r) => r._id), ['b1.s1', 'b1.s2']);
    assert.equal(list.body.rooms[0].buyer_last_message.content, 'still there?');
  });
});
