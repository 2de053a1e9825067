'use strict';
// Message order across nodes (issue 11, src/store/README.md "Message order across nodes"): a
// message whose transaction began before another node's and commits after it must not be
// skipped by a `sync` cursor taken in between. Two nodes behind HAProxy (Redis, one
// PostgreSQL). A psql session holds the row of room b1.s1 locked, so node cz1's transaction
// storing b1's message has begun (its row is inserted) but cannot commit; meanwhile node cz2
// commits b2's message to the same seller, and the seller pages through `sync` on cz2. After the
// lock is released and cz1 commits, paging on from the cursor of that page must return every
// message the senders had an ack for. With ids as the order (schema version 1 without its
// cluster lock), the page would end at b2's message and the cursor would skip b1's, whose id is
// older.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { connect, emitWithAck, closeAllSockets, sleep } = require('../lib/harness');
const { syncPages, SYNC_FROM_START } = require('../messenger/helpers');
const { startCluster, credentials, createRoom, messagePayload } = require('./cluster');

function userOn(lb, userId, node) {
  return connect(`${lb.url}/messenger`, {
    auth: credentials(userId),
    connectTimeoutMs: 10000,
    extraHeaders: { cookie: `SERVERID=${node}` },
  });
}

// Small pages, so that a cursor falls between the messages.
const syncFrom = (socket, since) => syncPages(socket, since, { limit: 2, maxPages: 100 });


describe('cluster: a late-committing message is never skipped by a sync cursor', () => {
  let cluster;
  before(async () => {
    cluster = await startCluster({ nodes: 2, haproxy: true });
  });
  after(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  it('a transaction stalled on cz1 while cz2 commits: paging on from the cursor finds both', { timeout: 60000 }, async () => {
    const lb = cluster.lb;
    const b1 = await userOn(lb, 'b1', 'cz1');
    const b2 = await userOn(lb, 'b2', 'cz2');
    const seller = await userOn(lb, 's1', 'cz2');
    await createRoom(b1, 'b1', 's1');
    await createRoom(b2, 'b2', 's1');
    const first = await emitWithAck(b2, 'new_message', messagePayload('b2', 's1', 'before'));
    assert.equal(first.error, undefined, JSON.stringify(first.error));
    const start = await syncFrom(seller, SYNC_FROM_START);
    assert.deepEqual(start.messages.map((m) => m.content), ['before']);

    const lock = cluster.pg.session();
    lock.send("BEGIN; SELECT id FROM rooms WHERE id = 'b1.s1' FOR UPDATE; \\echo locked");
    await lock.waitFor(/locked/);
    let stalledAck = null;
    const stalled = emitWithAck(b1, 'new_message', messagePayload('b1', 's1', 'stalled'))
      .then((reply) => { stalledAck = reply; return reply; });
    // cz1's transaction waits for the lock (PostgreSQL says so in pg_locks): it has begun.
    for (let i = 0; ; i++) {
      const waiting = cluster.pg.psql("SELECT count(*) FROM pg_locks WHERE NOT granted");
      if (Number(waiting) > 0) break;
      assert.ok(i < 500, "cz1's transaction never waited for the row lock");
      await sleep(20);
    }
    const late = await emitWithAck(b2, 'new_message', messagePayload('b2', 's1', 'committed first'));
    assert.equal(late.error, undefined, JSON.stringify(late.error));
    assert.equal(stalledAck, null, "cz1's message was acked while its transaction was stalled");

    // The seller pages on while cz1's transaction is still open.
    const during = await syncFrom(seller, start.cursor);
    lock.send('COMMIT;');
    await lock.end();
    const stalledReply = await stalled;
    assert.equal(stalledReply.error, undefined, JSON.stringify(stalledReply.error));

    const rest = await syncFrom(seller, during.cursor);
    const seen = [...during.messages, ...rest.messages].map((m) => m._id);
    assert.ok(seen.includes(late._id), 'the message cz2 committed was never returned');
    assert.ok(seen.includes(stalledReply._id),
      `cz1's late-committing message was skipped: pages during the stall ${JSON.stringify(during.messages.map((m) => m.content))}, after ${JSON.stringify(rest.messages.map((m) => m.content))}`);
    assert.equal(new Set(seen).size, seen.length, 'a message came twice');
  });
});
