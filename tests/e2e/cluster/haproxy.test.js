'use strict';
// Three nodes (Redis + PostgreSQL) behind HAProxy run from the shipped deploy/haproxy.cfg:
// socket.io-client with its default options (HTTP long-polling first, then the WebSocket upgrade)
// works through it, polling-only sessions stay on their node (stickiness), the SERVERID cookie
// pins a client to a node, and messenger traffic crosses nodes through Redis.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { connect, waitFor, expectNoEvent, emitWithAck, closeAllSockets } = require('../lib/harness');
const { startCluster, credentials, upgraded, createRoom, messagePayload, roomOf } = require('./cluster');

// A /messenger socket through the balancer. `node` ('cz1'...) pins it there with the SERVERID
// cookie, as a browser that got the cookie on its handshake would send it.
function userVia(lb, userId, { node, ...opts } = {}) {
  const pin = node ? { extraHeaders: { cookie: `SERVERID=${node}` } } : {};
  return connect(`${lb.url}/messenger`, { auth: credentials(userId), connectTimeoutMs: 10000, ...pin, ...opts });
}

// Connects, and checks from HAProxy's counters that only `node` got requests meanwhile. Other
// live clients' trailing requests (a polling client's next GET) are let through first.
async function pinnedUser(lb, userId, node, opts = {}) {
  await lb.waitIdle({ allowOpen: true });
  const before = await lb.sessionTotals();
  const socket = await userVia(lb, userId, { node, ...opts });
  const afterwards = await lb.sessionTotals();
  for (const name of Object.keys(before)) {
    const got = afterwards[name] - before[name];
    if (name === node) assert.ok(got > 0, `${userId}: no request reached ${node}`);
    else assert.equal(got, 0, `${userId}: ${got} request(s) reached ${name}, not ${node}`);
  }
  return socket;
}

async function sendOk(socket, from, to, content, extra) {
  const reply = await emitWithAck(socket, 'new_message', messagePayload(from, to, content, extra));
  assert.equal(reply.error, undefined, JSON.stringify(reply.error));
  assert.equal(reply.content, content);
  return reply;
}

describe('cluster behind haproxy (deploy/haproxy.cfg)', () => {
  let cluster;
  let lb;
  before(async () => {
    cluster = await startCluster({ nodes: 3, haproxy: true });
    lb = cluster.lb;
  });
  after(async () => {
    closeAllSockets();
    await cluster?.stop();
  });
  afterEach(async () => {
    closeAllSockets();
    // Requests of closed sockets still in flight would blur the next test's per-node counts.
    await lb?.waitIdle();
  });

  it('default client options: polling handshake, upgrade to WebSocket, a conversation', { timeout: 30000 }, async () => {
    const buyer = await userVia(lb, 'b-default');
    const seller = await userVia(lb, 's-default');
    // The first request of the session was a long-poll (default transports), then the upgrade
    // went through the balancer to the same node.
    await Promise.all([upgraded(buyer), upgraded(seller)]);
    await createRoom(buyer, 'b-default', 's-default');
    const sent = await sendOk(buyer, 'b-default', 's-default', 'hello through haproxy');
    for (const socket of [seller, buyer]) assert.equal((await waitFor(socket, 'new_message'))[0]._id, sent._id);
    const answer = await sendOk(seller, 's-default', 'b-default', 'hi back');
    for (const socket of [buyer, seller]) assert.equal((await waitFor(socket, 'new_message'))[0]._id, answer._id);
  });

  it('buyer on node 1 and seller on node 3: messages, typing and seen events cross nodes', { timeout: 30000 }, async () => {
    const buyer = await pinnedUser(lb, 'b1', 'cz1');
    const seller = await pinnedUser(lb, 's1', 'cz3');
    await Promise.all([upgraded(buyer), upgraded(seller)]);
    await createRoom(buyer, 'b1', 's1');
    const roomId = roomOf('b1', 's1');

    const fromBuyer = [];
    for (let i = 0; i < 5; i++) fromBuyer.push(await sendOk(buyer, 'b1', 's1', `b1 says ${i}`));
    for (const expected of fromBuyer) {
      const [got] = await waitFor(seller, 'new_message');
      assert.equal(got._id, expected._id);
      assert.equal(got.content, expected.content);
      assert.equal((await waitFor(buyer, 'new_message'))[0]._id, expected._id);
    }
    const reply = await sendOk(seller, 's1', 'b1', 'seller answers');
    assert.equal((await waitFor(buyer, 'new_message'))[0]._id, reply._id);
    // The sender's own socket gets it too (every tab of both users).
    assert.equal((await waitFor(seller, 'new_message'))[0]._id, reply._id);

    const typingPayload = { room_id: roomId, from: 's1', to: 'b1' };
    assert.deepEqual(await emitWithAck(seller, 'typing', typingPayload), { status: true });
    assert.deepEqual((await waitFor(buyer, 'typing'))[0], typingPayload);
    assert.deepEqual(await emitWithAck(seller, 'stop_typing', typingPayload), { status: true });
    assert.deepEqual((await waitFor(buyer, 'stop_typing'))[0], typingPayload);

    const ids = fromBuyer.map((m) => m._id);
    const seen = await emitWithAck(seller, 'seen_messages', { room_id: roomId, from: 's1', to: 'b1', message_ids: ids });
    assert.equal(seen.status, true, JSON.stringify(seen));
    assert.deepEqual([...seen.message_ids].sort(), [...ids].sort());
    const [receipt] = await waitFor(buyer, 'seen_messages');
    assert.equal(receipt.room_id, roomId);
    assert.equal(receipt.from, 's1');
    assert.deepEqual([...receipt.message_ids].sort(), [...ids].sort());
  });

  it('a user with tabs on two nodes gets every message on both, once', { timeout: 30000 }, async () => {
    const tab1 = await pinnedUser(lb, 'b2', 'cz1');
    const tab2 = await pinnedUser(lb, 'b2', 'cz2');
    const seller = await pinnedUser(lb, 's2', 'cz3');
    await createRoom(seller, 'b2', 's2');
    // create_room announces the room to both users: drain those.
    await Promise.all([waitFor(tab1, 'create_room'), waitFor(tab2, 'create_room')]);
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await sendOk(seller, 's2', 'b2', `to both tabs ${i}`));
    // Both tabs, and the seller's own socket, in order.
    for (const socket of [tab1, tab2, seller]) {
      for (const expected of sent) assert.equal((await waitFor(socket, 'new_message'))[0]._id, expected._id);
    }
    // A message from one tab reaches the other tab and the seller.
    const own = await sendOk(tab1, 'b2', 's2', 'from tab 1');
    assert.equal((await waitFor(tab2, 'new_message'))[0]._id, own._id);
    assert.equal((await waitFor(seller, 'new_message'))[0]._id, own._id);
    await expectNoEvent(tab2, 'new_message', 300);
    assert.equal((await waitFor(tab1, 'new_message'))[0]._id, own._id);
    await expectNoEvent(tab1, 'new_message', 0);
  });

  it('polling-only sessions keep working through haproxy (stickiness), with and without the cookie', { timeout: 40000 }, async () => {
    // No cookie: `balance source` keeps the client's requests on one node.
    const buyer = await userVia(lb, 'b3', { transports: ['polling'] });
    // Cookie jar (what a browser does): the SERVERID cookie from the handshake comes back.
    const seller = await userVia(lb, 's3', { transports: ['polling'], withCredentials: true });
    assert.equal(buyer.io.engine.transport.name, 'polling');
    assert.equal(seller.io.engine.transport.name, 'polling');
    assert.match([...seller.io.engine._cookieJar.cookies].map(([name]) => name).join(','), /SERVERID/);
    await createRoom(buyer, 'b3', 's3');
    // Each round trip is several POSTs (emit, ack) and GETs (the partner's long-poll): a request
    // that reached another node would get "Session ID unknown" and break the session.
    for (let i = 0; i < 15; i++) {
      const [from, to, sender, receiver] = i % 2 ? ['s3', 'b3', seller, buyer] : ['b3', 's3', buyer, seller];
      const sent = await sendOk(sender, from, to, `poll ${i}`);
      assert.equal((await waitFor(receiver, 'new_message'))[0]._id, sent._id);
      assert.equal((await waitFor(sender, 'new_message'))[0]._id, sent._id);
    }
    assert.ok(buyer.connected && seller.connected);
    assert.equal(buyer.io.engine.transport.name, 'polling');
  });

  it('polling sessions pinned to each node by the cookie', { timeout: 30000 }, async () => {
    const sockets = [];
    for (const node of ['cz1', 'cz2', 'cz3']) {
      sockets.push(await pinnedUser(lb, `b-${node}`, node, { transports: ['polling'] }));
    }
    const seller = await pinnedUser(lb, 's4', 'cz2', { transports: ['polling'] });
    for (const node of ['cz1', 'cz2', 'cz3']) await createRoom(seller, `b-${node}`, 's4');
    for (let round = 0; round < 3; round++) {
      for (const [i, node] of ['cz1', 'cz2', 'cz3'].entries()) {
        const sent = await sendOk(sockets[i], `b-${node}`, 's4', `round ${round}`);
        assert.equal((await waitFor(seller, 'new_message'))[0]._id, sent._id);
        assert.equal((await waitFor(sockets[i], 'new_message'))[0]._id, sent._id);
      }
    }
  });
});
