'use strict';
// Redis and PostgreSQL restart during a run (stopped, then started again on the same port and
// data dir): the nodes recover by themselves, with a log line and without a restart of their
// own. During a PostgreSQL outage shorter than the store's queue_wait_ms, writes wait in the
// node's queue and are stored when it is back (store/README.md, "Backpressure"); after each
// recovery messages are stored and delivered across nodes again.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { connect, waitFor, expectNoEvent, closeAllSockets, sleep } = require('../lib/harness');
const { startCluster, credentials, createRoom, messagePayload } = require('./cluster');

const RECOVERY_TIMEOUT_MS = 20000;

function emitAck(socket, event, payload, timeoutMs = 5000) {
  return socket.timeout(timeoutMs).emitWithAck(event, payload);
}

async function healthy(node) {
  const res = await fetch(`${node.url}/healthz`);
  return res.status === 200 && node.proc.running;
}

// Resolves once `pattern` shows in the node's output (after `from` characters), bounded.
async function logLine(node, pattern, from, timeoutMs = RECOVERY_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(node.output().slice(from))) {
    if (Date.now() > deadline) throw new Error(`no log line ${pattern} from ${node.url}:\n${node.output().slice(from)}`);
    await sleep(100);
  }
}

describe('redis and postgresql restarts', () => {
  let cluster;
  let buyer;
  let seller;
  let counter = 0;
  const stored = []; // ids of every message acked
  let uncertain = 0; // refused while their COMMIT's outcome was unknown (see below)

  // One message buyer -> seller (node 1 -> node 3); resolves with the ack (message or error).
  const sendOnce = (content = `m${counter++}`) => emitAck(buyer, 'new_message', messagePayload('b1', 's1', content), 10000);

  // Sends `count` messages and checks each is acked and reaches the seller on the other node.
  async function exchange(count) {
    for (let i = 0; i < count; i++) {
      const reply = await sendOnce();
      assert.equal(reply.error, undefined, JSON.stringify(reply.error));
      stored.push(reply._id);
      const [got] = await waitFor(seller, 'new_message', 5000);
      assert.equal(got._id, reply._id);
    }
  }

  before(async () => {
    cluster = await startCluster({ nodes: 3, storeParams: '?queue_wait_ms=20000' });
    const [node1, , node3] = cluster.nodes;
    buyer = await connect(`${node1.url}/messenger`, { auth: credentials('b1') });
    seller = await connect(`${node3.url}/messenger`, { auth: credentials('s1') });
    await createRoom(buyer, 'b1', 's1');
    await waitFor(seller, 'create_room', 8000);
  });
  after(async () => {
    closeAllSockets();
    await cluster?.stop();
  });

  it('before any restart: messages cross nodes', { timeout: 20000 }, async () => {
    await exchange(3);
  });

  it('redis-server restart: every node reconnects by itself and cross-node delivery resumes', { timeout: 40000 }, async () => {
    const marks = cluster.nodes.map((n) => n.output().length);
    await cluster.redis.halt();
    // Down for a while: the nodes notice, keep serving locally, and keep retrying.
    await Promise.all(cluster.nodes.map((n, i) => logLine(n, /redis .*(connection lost|cannot connect)/, marks[i])));
    const duringOutage = await sendOnce('while redis is down');
    assert.equal(duringOutage.error, undefined, 'the store does not need Redis');
    stored.push(duringOutage._id);
    await cluster.redis.resume();
    await Promise.all(cluster.nodes.map((n, i) => logLine(n, /redis .*reconnected to/, marks[i])));
    for (const node of cluster.nodes) assert.ok(await healthy(node));

    // Re-subscribing follows the reconnect asynchronously: wait (boundedly) until a message
    // crosses again, then every message must.
    const deadline = Date.now() + RECOVERY_TIMEOUT_MS;
    for (;;) {
      const reply = await sendOnce();
      assert.equal(reply.error, undefined, JSON.stringify(reply.error));
      stored.push(reply._id);
      const got = await waitFor(seller, 'new_message', 500).catch(() => null);
      if (got && got[0]._id === reply._id) break;
      assert.ok(Date.now() < deadline, 'cross-node delivery did not resume after the Redis restart');
    }
    await exchange(5);
  });

  it('postgresql restart under load: writes wait out the outage, only an in-flight commit is refused, all acked stored and delivered', { timeout: 60000 }, async () => {
    const marks = cluster.nodes.map((n) => n.output().length);
    // A modest steady load (one message every 20 ms, each waiting for nothing but its turn)
    // across the outage: every ack must be a success (the outage is shorter than the nodes'
    // queue_wait_ms), delivered to the other node's seller.
    const acks = [];
    let loading = true;
    const load = (async () => {
      while (loading) {
        acks.push(emitAck(buyer, 'new_message', messagePayload('b1', 's1', `load ${acks.length}`), 30000));
        await sleep(20);
      }
    })();
    await sleep(300);
    await cluster.pg.halt();
    await sleep(2000);
    await cluster.pg.resume();
    await sleep(500);
    loading = false;
    await load;
    const replies = await Promise.all(acks);
    // Every write waits the outage out, except a batch whose COMMIT was on its way when
    // PostgreSQL shut down: its outcome is unknown to the node, which answers STORE_UNAVAILABLE
    // (the messages may or may not be stored; store/README.md, "Backpressure"). That is one batch
    // at most, a few messages at this rate.
    const refused = replies.filter((r) => r.error);
    for (const r of refused) assert.equal(r.error.code, 'STORE_UNAVAILABLE', JSON.stringify(r.error));
    assert.ok(refused.length <= 10, `${refused.length} of ${replies.length} refused`);
    uncertain += refused.length;
    const acked = replies.filter((r) => !r.error);
    for (const reply of acked) stored.push(reply._id);
    // Each acked one delivered to the seller's node once.
    const delivered = [];
    for (let i = 0; i < acked.length; i++) {
      delivered.push((await waitFor(seller, 'new_message', RECOVERY_TIMEOUT_MS))[0]._id);
    }
    assert.deepEqual([...delivered].sort(), acked.map((r) => r._id).sort());
    await expectNoEvent(seller, 'new_message', 300);
    const storedTwice = cluster.pg.psql("SELECT count(*) FROM (SELECT content FROM messages GROUP BY content HAVING count(*) > 1) d");
    assert.equal(storedTwice, '0', 'a message was stored twice');
    // The node said that writes were waiting (queue depth), and reconnected by itself.
    await logLine(cluster.nodes[0], /PostgreSQL unreachable, writes wait: \d+ writes queued/, marks[0]);
    await logLine(cluster.nodes[0], /reconnected to PostgreSQL/, marks[0]);
    for (const node of cluster.nodes) assert.ok(await healthy(node), `${node.url} is not healthy`);
    await exchange(3);
    // The seller's node reads from the database again too, every acked message in send order.
    const synced = await emitAck(seller, 'sync', { since: 0, limit: 1000 });
    assert.equal(synced.error, undefined, JSON.stringify(synced.error));
    const syncedIds = synced.messages.map((m) => m._id);
    assert.deepEqual(syncedIds.filter((id) => stored.includes(id)), stored);
    assert.ok(syncedIds.length - stored.length <= uncertain, 'only refused messages may be extra');
  });

  it('everything acked across both restarts is in PostgreSQL, and nothing else', { timeout: 20000 }, async () => {
    const rows = cluster.pg.psql("SELECT id FROM messages WHERE room_id = 'b1.s1' ORDER BY id").split('\n').filter(Boolean);
    // Every acked message; besides them, at most the refused ones whose outcome was unknown.
    assert.deepEqual(rows.filter((id) => stored.includes(id)), [...stored].sort());
    assert.ok(rows.length - stored.length <= uncertain, `${rows.length - stored.length} rows not acked`);
    assert.ok(!rows.includes(undefined));
  });
});
