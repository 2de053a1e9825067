'use strict';
// Messages sent over REST and over the socket into one room reach every recipient in one order:
// both paths go through messenger::Conversations, whose completions and broadcasts run on the
// room's home shard. Several I/O threads, so that the REST requests, the sender's socket and
// the recipients' sockets live on different shards.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { waitFor } = require('../lib/harness');
const { token, startRestServer, api, messengerSocket, createRoom } = require('./helpers');

const PER_PATH = 40;

describe('REST and socket messages in one room', () => {
  let srv;
  const sockets = [];
  before(async () => {
    srv = await startRestServer(['--threads', '3']);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await srv.stop();
  });

  it('arrive in the same order at every tab of both users', { timeout: 60000 }, async () => {
    await createRoom(srv, 'ob', 'os');
    const sender = await messengerSocket(srv, 'ob', 'BUYER');
    const tabs = [
      await messengerSocket(srv, 'ob', 'BUYER'),
      await messengerSocket(srv, 'os', 'SELLER'),
      await messengerSocket(srv, 'os', 'SELLER'),
    ];
    sockets.push(sender, ...tabs);

    // Interleaved: socket messages from the buyer, REST messages from the seller, all in flight
    // at once.
    const sellerToken = token('os', 'SELLER');
    const sends = [];
    for (let i = 0; i < PER_PATH; i++) {
      const viaSocket = { room_id: 'ob.os', from: 'ob', to: 'os', type: 'TEXT', content: `socket ${i}` };
      sends.push(
        new Promise((resolve, reject) => {
          sender.timeout(20000).emit('new_message', viaSocket, (err, reply) => {
            if (err || reply.error) reject(err || new Error(JSON.stringify(reply)));
            else resolve(reply._id);
          });
        }),
      );
      const viaRest = { room_id: 'ob.os', from: 'os', to: 'ob', type: 'TEXT', content: `rest ${i}` };
      sends.push(
        api(srv, 'POST', '/v1/messages', { token: sellerToken, body: viaRest }).then((res) => {
          if (res.status !== 200) throw new Error(`POST /v1/messages: ${res.status} ${JSON.stringify(res.body)}`);
          return res.body.data._id;
        }),
      );
    }
    const ids = await Promise.all(sends);
    assert.equal(new Set(ids).size, 2 * PER_PATH);
    // Each socket records what it receives from its creation (lib/client.js); waitFor takes the
    // next new_message in arrival order.
    const seen = [];
    for (const tab of tabs) {
      const order = [];
      for (let k = 0; k < 2 * PER_PATH; k++) order.push((await waitFor(tab, 'new_message', 20000))[0]._id);
      seen.push(order);
    }

    for (const s of seen) {
      assert.deepEqual(new Set(s), new Set(ids), 'each message reaches each tab once');
    }
    assert.deepEqual(seen[1], seen[0], 'the seller sees the order the buyer sees');
    assert.deepEqual(seen[2], seen[0], 'every tab sees one order');
  });
});
