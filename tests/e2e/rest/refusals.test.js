'use strict';
// Every way a REST request is refused: authentication, authorization (rooms and sides),
// validation, bad JSON, oversize bodies, unknown routes and methods.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { SECRET, token, startRestServer, api, createRoom } = require('./helpers');

function assertRefusal(res, status, code) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.status, false);
  assert.equal(res.body.error.code, code);
  assert.equal(typeof res.body.error.message, 'string');
  assert.equal(res.body.message, res.body.error.message);
  assert.match(res.headers.get('content-type'), /application\/json/);
}

describe('REST refusals', () => {
  let srv;
  before(async () => {
    srv = await startRestServer();
    await createRoom(srv, 'b1', 's1');
  });
  after(async () => {
    await srv.stop();
  });

  const routes = [
    ['GET', '/v1/rooms?role=BUYER'],
    ['POST', '/v1/rooms'],
    ['GET', '/v1/rooms/b1.s1'],
    ['DELETE', '/v1/rooms/b1.s1'],
    ['PUT', '/v1/rooms/b1.s1/enable'],
    ['POST', '/v1/rooms/b1.s1/pin'],
    ['DELETE', '/v1/rooms/b1.s1/pin'],
    ['PUT', '/v1/rooms/b1.s1/seen'],
    ['GET', '/v1/messages?room_id=b1.s1'],
    ['POST', '/v1/messages'],
    ['PUT', '/v1/messages/01HF0000000000000000000000'],
    ['GET', '/v1/unread'],
  ];

  it('no token -> 401 on every route', { timeout: 20000 }, async () => {
    for (const [method, path] of routes) {
      const res = await api(srv, method, path);
      assertRefusal(res, 401, 'UNAUTHORIZED');
      assert.match(res.headers.get('www-authenticate'), /Bearer/);
    }
  });

  it('bad tokens -> 401 on every route', { timeout: 20000 }, async () => {
    const bad = [
      'not-a-jwt',
      token('b1', 'BUYER', { secret: 'another-secret' }),
      token('b1', 'BUYER', { expiresInS: -600 }),
      token('b1', 'ADMIN'),
    ];
    for (const [method, path] of routes) {
      for (const tok of bad) assertRefusal(await api(srv, method, path, { token: tok }), 401, 'UNAUTHORIZED');
      const basic = await api(srv, method, path, { headers: { authorization: 'Basic YjE6eA==' } });
      assertRefusal(basic, 401, 'UNAUTHORIZED');
    }
    // alg "none" with the same claims
    const none = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url') + '.' +
      Buffer.from('{"sub":"b1"}').toString('base64url') + '.';
    assertRefusal(await api(srv, 'GET', '/v1/unread', { token: none }), 401, 'UNAUTHORIZED');
    assert.ok(SECRET);
  });

  it("another user's room -> 403, an unknown room -> 404", { timeout: 10000 }, async () => {
    const x = token('x', 'BUYER');
    assertRefusal(await api(srv, 'GET', '/v1/rooms/b1.s1', { token: x }), 403, 'FORBIDDEN');
    assertRefusal(await api(srv, 'GET', '/v1/messages?room_id=b1.s1', { token: x }), 403, 'FORBIDDEN');
    assertRefusal(await api(srv, 'PUT', '/v1/rooms/b1.s1/seen', { token: x }), 403, 'FORBIDDEN');
    assertRefusal(await api(srv, 'DELETE', '/v1/rooms/b1.s1', { token: x }), 403, 'FORBIDDEN');
    assertRefusal(await api(srv, 'POST', '/v1/rooms/b1.s1/pin', { token: x }), 403, 'FORBIDDEN');
    assertRefusal(await api(srv, 'GET', '/v1/rooms/zz.yy', { token: token('zz') }), 404, 'ROOM_NOT_FOUND');
    assertRefusal(await api(srv, 'GET', '/v1/messages?room_id=zz.yy', { token: token('zz') }), 404, 'ROOM_NOT_FOUND');
  });

  it("user_id or role other than the token's -> 403", { timeout: 10000 }, async () => {
    const b1 = token('b1', 'BUYER');
    assertRefusal(await api(srv, 'GET', '/v1/rooms?user_id=s1&role=SELLER', { token: b1 }), 403, 'FORBIDDEN');
    assertRefusal(await api(srv, 'GET', '/v1/rooms?role=SELLER', { token: b1 }), 403, 'FORBIDDEN');
    assertRefusal(await api(srv, 'GET', '/v1/unread?user_id=s1', { token: b1 }), 403, 'FORBIDDEN');
    assertRefusal(await api(srv, 'POST', '/v1/rooms', { token: token('x'), body: { buyer: 'b1', seller: 's1' } }), 403, 'FORBIDDEN');
  });

  it("the other side's pin (and deletion, seen) -> 403", { timeout: 10000 }, async () => {
    const b1 = token('b1'); // no role claim: the role given must still be b1's side
    assertRefusal(await api(srv, 'POST', '/v1/rooms/b1.s1/pin', { token: b1, body: { user_id: 'b1', role: 'SELLER' } }), 403, 'FORBIDDEN');
    assertRefusal(await api(srv, 'DELETE', '/v1/rooms/b1.s1/pin', { token: b1, body: { role: 'SELLER' } }), 403, 'FORBIDDEN');
    assertRefusal(await api(srv, 'DELETE', '/v1/rooms/b1.s1?role=SELLER', { token: b1 }), 403, 'FORBIDDEN');
    assertRefusal(await api(srv, 'PUT', '/v1/rooms/b1.s1/seen', { token: b1, body: { role: 'SELLER' } }), 403, 'FORBIDDEN');
    assertRefusal(await api(srv, 'POST', '/v1/rooms/b1.s1/pin', { token: token('b1', 'SELLER') }), 403, 'FORBIDDEN');
    // The seller's side is untouched.
    const seller = await api(srv, 'GET', '/v1/rooms/b1.s1', { token: token('s1', 'SELLER') });
    assert.equal(seller.status, 200);
    assert.equal(seller.body.room.pinned_by_seller, undefined);
    assert.equal(seller.body.room.deleted_by_seller, false);
  });

  it('bad limits and other bad parameters -> 400', { timeout: 10000 }, async () => {
    const b1 = token('b1', 'BUYER');
    for (const q of ['limit=0', 'limit=-1', 'limit=ten', 'limit=1.5', 'limit=', 'created_at=0', 'from=tomorrow', 'cursor=abc']) {
      assertRefusal(await api(srv, 'GET', `/v1/messages?room_id=b1.s1&${q}`, { token: b1 }), 400, 'VALIDATION_ERROR');
    }
    assertRefusal(await api(srv, 'GET', '/v1/messages', { token: b1 }), 400, 'VALIDATION_ERROR');
    assertRefusal(await api(srv, 'GET', '/v1/rooms?role=ADMIN', { token: token('b1') }), 400, 'VALIDATION_ERROR');
    assertRefusal(await api(srv, 'GET', '/v1/rooms', { token: token('b1') }), 400, 'VALIDATION_ERROR');
    assertRefusal(await api(srv, 'GET', '/v1/rooms?role=BUYER&pinned=maybe', { token: b1 }), 400, 'VALIDATION_ERROR');
    assertRefusal(await api(srv, 'GET', '/v1/rooms?role=BUYER&role=SELLER', { token: b1 }), 400, 'VALIDATION_ERROR');
    assertRefusal(await api(srv, 'GET', '/v1/rooms/nodot', { token: b1 }), 400, 'VALIDATION_ERROR');
    const same = await api(srv, 'POST', '/v1/rooms', { token: b1, body: { buyer: 'b1', seller: 'b1' } });
    assertRefusal(same, 400, 'VALIDATION_ERROR');
    assert.equal(same.body.message, 'Buyer is the same to seller');
    assertRefusal(await api(srv, 'POST', '/v1/rooms', { token: b1, body: { buyer: 'b1', seller: 's9', shop: { name: 7 } } }), 400, 'VALIDATION_ERROR');
    assertRefusal(await api(srv, 'POST', '/v1/messages', { token: b1, body: { room_id: 'b1.s1', from: 'b1', to: 's1', type: 'VIDEO', content: 'x' } }), 422, 'UNKNOWN_MESSAGE_TYPE');
    assertRefusal(await api(srv, 'PUT', '/v1/messages/01HF0000000000000000000000', { token: b1, body: { content: 5 } }), 400, 'VALIDATION_ERROR');
  });

  it('a page over 100 is capped, not refused', { timeout: 10000 }, async () => {
    const res = await api(srv, 'GET', '/v1/messages?room_id=b1.s1&limit=5000', { token: token('b1') });
    assert.equal(res.status, 200);
    assert.equal(res.body.filters.message_count, 100);
  });

  it('bad JSON -> 400 INVALID_JSON; a non-object -> 400; another media type -> 415', { timeout: 10000 }, async () => {
    const b1 = token('b1', 'BUYER');
    const json = { 'content-type': 'application/json' };
    for (const raw of ['{', '{"buyer":"b1",}', "{'a':1}", '{"a":1} trailing']) {
      assertRefusal(await api(srv, 'POST', '/v1/rooms', { token: b1, raw, headers: json }), 400, 'INVALID_JSON');
    }
    assertRefusal(await api(srv, 'POST', '/v1/rooms', { token: b1, raw: '[1,2]', headers: json }), 400, 'VALIDATION_ERROR');
    assertRefusal(await api(srv, 'PUT', '/v1/rooms/b1.s1/seen', { token: b1, raw: '"x"', headers: json }), 400, 'VALIDATION_ERROR');
    assertRefusal(await api(srv, 'POST', '/v1/rooms', { token: b1, raw: 'buyer=b1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('oversize body -> 413', { timeout: 10000 }, async () => {
    const body = { buyer: 'b1', seller: 's1', shop: { name: 'x', blob: 'y'.repeat(100 * 1024) } };
    assertRefusal(await api(srv, 'POST', '/v1/rooms', { token: token('b1'), body }), 413, 'PAYLOAD_TOO_LARGE');
    const content = { room_id: 'b1.s1', from: 'b1', to: 's1', type: 'TEXT', content: 'z'.repeat(80 * 1024) };
    assertRefusal(await api(srv, 'POST', '/v1/messages', { token: token('b1'), body: content }), 413, 'PAYLOAD_TOO_LARGE');
    // Larger than a message may be, smaller than the body limit: the field is refused.
    const big = { room_id: 'b1.s1', from: 'b1', to: 's1', type: 'TEXT', content: 'z'.repeat(10 * 1024) };
    assertRefusal(await api(srv, 'POST', '/v1/messages', { token: token('b1'), body: big }), 422, 'CONTENT_TOO_LARGE');
  });

  it('unknown routes -> 404, unknown methods -> 405 with Allow', { timeout: 10000 }, async () => {
    const b1 = token('b1');
    assertRefusal(await api(srv, 'GET', '/v1/nothing', { token: b1 }), 404, 'NOT_FOUND');
    assertRefusal(await api(srv, 'GET', '/v1/rooms/b1.s1/unknown', { token: b1 }), 404, 'NOT_FOUND');
    const patch = await api(srv, 'PATCH', '/v1/rooms', { token: b1 });
    assertRefusal(patch, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(patch.headers.get('allow'), 'GET, POST');
  });
});
