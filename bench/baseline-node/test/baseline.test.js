'use strict';
// Checks the baseline with the official socket.io-client, so that the load generator is
// validated against a server known to speak the events right.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const jwt = require('jsonwebtoken');
const { io } = require('socket.io-client');

const SECRET = 'baseline-test-secret';

function startBaseline() {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'server.js'), '--port', '0', '--jwt-secret', SECRET], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/[\d.]+:\d+)/);
      if (m) resolve({ url: m[1], stop: () => new Promise((r) => { child.on('exit', r); child.kill('SIGTERM'); }) });
    });
    child.on('exit', (code) => reject(new Error(`baseline exited with ${code}`)));
  });
}

function connect(url, userId, role, { token } = {}) {
  const socket = io(`${url}/messenger`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: { token: token ?? jwt.sign({ sub: userId, role }, SECRET), user_id: userId, user_role: role },
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

const next = (socket, event) => new Promise((resolve) => socket.once(event, resolve));

test('baseline: auth, create_room, new_message to every tab, typing, seen, dedup', async (t) => {
  const srv = await startBaseline();
  t.after(() => srv.stop());

  await assert.rejects(connect(srv.url, 'b1', 'BUYER', { token: 'nope' }), (err) => err.message === 'unauthorized');
  await assert.rejects(connect(srv.url, 'b1', 'BUYER', { token: jwt.sign({ sub: 'other' }, SECRET) }), /unauthorized/);

  const buyer = await connect(srv.url, 'b1', 'BUYER');
  const buyerTab2 = await connect(srv.url, 'b1', 'BUYER');
  const seller = await connect(srv.url, 's1', 'SELLER');
  t.after(() => [buyer, buyerTab2, seller].forEach((s) => s.close()));

  const created = await buyer.emitWithAck('create_room', { type: 'BS', buyer: 'b1', seller: 's1', shop_id: 'shop', creator: 'b1' });
  assert.equal(created.room._id, 'b1.s1');

  const delivered = [next(seller, 'new_message'), next(buyerTab2, 'new_message')];
  const msg = { room_id: 'b1.s1', from: 'b1', to: 's1', type: 'TEXT', content: 'hello', client_message_id: 'c1' };
  const acked = await buyer.emitWithAck('new_message', msg);
  assert.equal(acked.content, 'hello');
  assert.equal(acked.is_seen, false);
  assert.ok(acked._id && acked.created_at);
  for (const m of await Promise.all(delivered)) assert.deepEqual(m, acked);

  const retry = await buyer.emitWithAck('new_message', msg);
  assert.equal(retry._id, acked._id);

  const forged = await buyer.emitWithAck('new_message', { ...msg, from: 's1', to: 'b1', client_message_id: 'c2' });
  assert.equal(forged.error.code, 'FORBIDDEN');
  const badType = await buyer.emitWithAck('new_message', { ...msg, type: 'VIDEO', client_message_id: 'c3' });
  assert.equal(badType.error.code, 'BAD_REQUEST');

  const typing = next(seller, 'typing');
  buyer.emit('typing', { room_id: 'b1.s1', from: 'b1', to: 's1' });
  assert.deepEqual(await typing, { room_id: 'b1.s1', from: 'b1', to: 's1' });

  const seen = next(buyer, 'seen_messages');
  const seenAck = await seller.emitWithAck('seen_messages', { room_id: 'b1.s1', from: 's1', to: 'b1', message_ids: [acked._id] });
  assert.deepEqual(seenAck.message_ids, [acked._id]);
  assert.deepEqual((await seen).message_ids, [acked._id]);
});
