'use strict';
// Issue 11, item 5: a new_message is acked only once its broadcast has left the node (Redis has
// answered the PUBLISH). Node A reaches Redis through a relay that, at one point, loses what A
// sends; A's buyer sends a message: it is committed, its PUBLISH never reaches Redis, and so no
// ack comes. A is killed (the commit-then-crash case); the buyer retries the same message on
// node B, which finds it stored, has never seen it delivered, and delivers it: the seller, who
// stayed online on B all along, gets it live. A retry of a message B did deliver is only acked.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  startServer, startRedis, startPostgres, connect, waitFor, expectNoEvent, emitWithAck, closeAllSockets, sleep,
} = require('../lib/harness');
const { startRelay } = require('../lib/relay');
const { nodeArgs, subscribed, credentials, createRoom, messagePayload } = require('./cluster');

async function storedCount(pg, clientMessageId) {
  return Number(pg.psql(`SELECT count(*) FROM messages WHERE client_message_id = '${clientMessageId}'`).trim());
}

describe('ack after the broadcast is confirmed', () => {
  let redis;
  let pg;
  let relay;
  let nodeA;
  let nodeB;
  before(async () => {
    [redis, pg] = await Promise.all([startRedis(), startPostgres({ database: 'cz_publish' })]);
    relay = await startRelay(redis.port);
    // A long publish timeout: here the ack must wait for Redis, not for the timeout.
    [nodeA, nodeB] = await Promise.all([
      startServer({ args: nodeArgs(relay.url, pg.url, ['--redis-publish-timeout', '600000']) }),
      startServer({ args: nodeArgs(redis.url, pg.url) }),
    ]);
    await Promise.all([subscribed(nodeA), subscribed(nodeB)]);
  });
  after(async () => {
    closeAllSockets();
    await nodeB?.stop();
    await relay?.stop();
  });

  it('no ack before Redis answers; after the node dies, the retry on another node delivers it live', { timeout: 30000 }, async () => {
    const buyer = await connect(`${nodeA.url}/messenger`, { auth: credentials('b1') });
    const seller = await connect(`${nodeB.url}/messenger`, { auth: credentials('s1') });
    await expectNoEvent(seller, 'new_message', 0); // (starts recording the seller's events)
    await createRoom(buyer, 'b1', 's1');

    // The relay works: A's broadcast reaches the seller on B, and A acks.
    const before = await emitWithAck(buyer, 'new_message', messagePayload('b1', 's1', 'through the relay'));
    assert.equal(before.error, undefined, JSON.stringify(before.error));
    const [live] = await waitFor(seller, 'new_message');
    assert.equal(live._id, before._id);

    relay.dropClientBytes();
    const payload = messagePayload('b1', 's1', 'its publish is lost', { client_message_id: 'cm-lost' });
    await assert.rejects(buyer.timeout(1500).emitWithAck('new_message', payload), /timed out/);
    // Committed all the same (the store comes first), and not delivered.
    for (let i = 0; i < 50 && (await storedCount(pg, 'cm-lost')) === 0; i++) await sleep(100);
    assert.equal(await storedCount(pg, 'cm-lost'), 1);
    await expectNoEvent(seller, 'new_message', 0);

    const exit = await nodeA.kill('SIGKILL');
    assert.equal(exit.signal, 'SIGKILL');
    // The sender's app reconnects (here straight to B) and sends the message again.
    const buyerAgain = await connect(`${nodeB.url}/messenger`, { auth: credentials('b1') });
    const retry = await emitWithAck(buyerAgain, 'new_message', payload);
    assert.equal(retry.error, undefined, JSON.stringify(retry.error));
    assert.equal(retry.client_message_id, 'cm-lost');
    assert.equal(retry.content, 'its publish is lost');
    const [delivered] = await waitFor(seller, 'new_message');
    assert.equal(delivered._id, retry._id);
    assert.equal(await storedCount(pg, 'cm-lost'), 1);

    // A message B delivered itself: its retry is acked again and not delivered twice.
    const again = messagePayload('b1', 's1', 'delivered once', { client_message_id: 'cm-once' });
    const first = await emitWithAck(buyerAgain, 'new_message', again);
    assert.equal(first.error, undefined, JSON.stringify(first.error));
    assert.equal((await waitFor(seller, 'new_message'))[0]._id, first._id);
    const second = await emitWithAck(buyerAgain, 'new_message', again);
    assert.equal(second._id, first._id);
    await expectNoEvent(seller, 'new_message', 300);
  });
});
