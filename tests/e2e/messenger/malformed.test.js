'use strict';
// Packets on /messenger whose JSON does not parse: the client gets an error (the ack
// {error: {code, message}} when the packet asked for one, else an `error` event without `event`),
// nothing is stored, and the connection stays up (Node's socket.io would close it).
// Content that one store would keep and the other refuse (NUL, broken UTF-16) is refused too.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { rawEngineIoWebSocket, emitWithAck, waitFor, expectNoEvent, withTimeout, closeAllSockets } = require('../lib/harness');
const { startMessenger, token, user, createRoom, send, refused, messagePayload } = require('./helpers');

// The next frame that satisfies `match`, skipping others (presence events, pings answered).
async function nextMatching(raw, match, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = await raw.next(Math.max(1, deadline - Date.now()));
    if (frame === '2') {
      raw.send('3');
      continue;
    }
    if (match(frame)) return frame;
  }
}

describe('messenger malformed packets', () => {
  let srv;
  before(async () => {
    srv = await startMessenger(['--test-namespaces']);  // '/' as a namespace without a handler
  });
  after(async () => {
    closeAllSockets();
    await srv.stop();
  });
  afterEach(() => closeAllSockets());

  it('a malformed packet with an ack id gets an INVALID_JSON ack and the socket keeps working (raw client)', async () => {
    const seller = await user(srv, 's10', 'SELLER');
    await createRoom(seller, 'b10', 's10');
    const raw = await rawEngineIoWebSocket(srv.url);
    try {
      raw.send(`40/messenger,${JSON.stringify({ token: token('b10'), user_id: 'b10', user_role: 'BUYER' })}`);
      await nextMatching(raw, (f) => f.startsWith('40/messenger,{"sid"'));

      raw.send('42/messenger,7["new_message",{bad');
      const ack = await nextMatching(raw, (f) => f.startsWith('43/messenger,7['));
      const [reply] = JSON.parse(ack.slice('43/messenger,7'.length));
      assert.equal(reply.error.code, 'INVALID_JSON');
      assert.match(reply.error.message, /invalid JSON/);

      // Well-formed JSON that is not an event ["name", ...]: VALIDATION_ERROR, no ack id -> event.
      raw.send('42/messenger,{"not":"an event"}');
      const event = await nextMatching(raw, (f) => f.startsWith('42/messenger,["error"'));
      const [, body] = JSON.parse(event.slice('42/messenger,'.length));
      assert.equal(body.code, 'VALIDATION_ERROR');
      assert.equal(body.event, undefined);

      // Still connected and served: a real message goes through.
      raw.send(`42/messenger,8${JSON.stringify(['new_message', messagePayload('b10', 's10', 'after')])}`);
      const stored = await nextMatching(raw, (f) => f.startsWith('43/messenger,8['));
      assert.equal(JSON.parse(stored.slice('43/messenger,8'.length))[0].content, 'after');
    } finally {
      raw.close();
    }
    const [delivered] = await waitFor(seller, 'new_message');
    assert.equal(delivered.content, 'after');
    const { messages } = await emitWithAck(seller, 'sync', {});
    assert.deepEqual(messages.map((m) => m.content), ['after'], 'nothing stored from the malformed packets');
  });

  it('without an ack id the official client gets an error event and stays connected', async () => {
    const buyer = await user(srv, 'b20', 'BUYER', { transports: ['websocket'] });
    const seller = await user(srv, 's20', 'SELLER');
    await createRoom(buyer, 'b20', 's20');
    // The Engine.IO client writes a message packet ('4' + text) on the same connection.
    buyer.io.engine.write('2/messenger,["new_message",{"room_id":"b20.s20","content":"x"');
    const [error] = await waitFor(buyer, 'error');
    assert.equal(error.code, 'INVALID_JSON');
    assert.equal(typeof error.message, 'string');
    assert.ok(buyer.connected);
    await expectNoEvent(seller, 'new_message', 100);
    await send(buyer, 'b20', 's20', 'still here');
    const [delivered] = await waitFor(seller, 'new_message');
    assert.equal(delivered.content, 'still here');
  });

  it('a malformed packet for a namespace without a handler still closes the connection, as Node', async () => {
    const raw = await rawEngineIoWebSocket(srv.url);
    raw.send('40');
    await nextMatching(raw, (f) => f.startsWith('40{"sid"'));
    raw.send('42["echo",{bad');
    await withTimeout(raw.closed, 5000, 'the connection was not closed');
  });

  for (const [n, what, content] of [
    [30, 'a NUL character', 'a\u0000b'],
    [31, 'a lone surrogate', 'x\udc00y'],
  ]) {
    it(`new_message content with ${what} is refused (VALIDATION_ERROR), nothing stored`, async () => {
      const [b, s] = [`b${n}`, `s${n}`];
      const buyer = await user(srv, b);
      const seller = await user(srv, s, 'SELLER');
      await createRoom(buyer, b, s);
      await refused(buyer, 'new_message', messagePayload(b, s, content), 'VALIDATION_ERROR');
      await expectNoEvent(seller, 'new_message', 100);
      const { messages } = await emitWithAck(seller, 'sync', {});
      assert.deepEqual(messages, []);
      assert.ok(buyer.connected);
    });
  }
});
