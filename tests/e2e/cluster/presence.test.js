'use strict';
// Presence across cluster nodes (Redis + one PostgreSQL): `user_status` reaches partners on other
// nodes, a user counts as online while any tab on any node is connected, get_user_status answers
// the same on every node, and the users of a node killed with SIGKILL read offline once its
// presence TTL has passed (and their partners get `user_status` offline from a surviving node).
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const {
  startServer, startRedis, startPostgres, waitFor, expectNoEvent, emitWithAck, closeAllSockets, sleep,
} = require('../lib/harness');
const { SECRET, user, createRoom } = require('../messenger/helpers');

const PRESENCE_TTL_MS = 2000;

async function statusOf(socket, userId) {
  const reply = await emitWithAck(socket, 'get_user_status', { user_ids: [userId] });
  assert.equal(reply.users.length, 1, JSON.stringify(reply));
  return reply.users[0];
}

async function nextStatus(socket, userId) {
  const [status] = await waitFor(socket, 'user_status');
  assert.equal(status.user_id, userId, JSON.stringify(status));
  return status;
}

describe('cluster presence', () => {
  let redis;
  let pg;
  let storeUrl;
  let node1;
  let node2;
  const nodeArgs = () => ['--jwt-secret', SECRET, '--redis', redis.url, '--presence-ttl', String(PRESENCE_TTL_MS)];
  const startNode = () => startServer({ store: storeUrl, args: nodeArgs() });

  before(async () => {
    [redis, pg] = await Promise.all([startRedis(), startPostgres({ database: 'postgres' })]);
    pg.psql('CREATE DATABASE cz_presence', 'postgres');
    storeUrl = `postgres://postgres@${pg.host}:${pg.port}/cz_presence`;
    node1 = await startNode();  // one at a time: the first creates the schema
    node2 = await startNode();
  });
  after(async () => {
    closeAllSockets();
    await Promise.all([node1?.stop(), node2?.stop()]);
    await Promise.all([redis?.stop(), pg?.stop()]);
  });
  afterEach(() => closeAllSockets());

  it('a buyer on node 1 and a seller on node 2 see each other come and go', { timeout: 30000 }, async () => {
    const buyer = await user(node1, 'b1');
    // The room first, then the seller: s1's arrival is announced to b1 for certain (created
    // after it, the room races the announcement, which then may or may not reach b1).
    await createRoom(buyer, 'b1', 's1');
    let seller = await user(node2, 's1', 'SELLER');
    assert.equal((await nextStatus(buyer, 's1')).online, true, 's1 came online');

    // Each side reads the other online, from its own node.
    assert.equal((await statusOf(buyer, 's1')).online, true);
    const b1 = await statusOf(seller, 'b1');
    assert.equal(b1.online, true);
    assert.equal(b1.role, 'BUYER');

    const left = Date.now();
    seller.close();
    let status = await nextStatus(buyer, 's1');
    assert.equal(status.online, false);
    assert.equal(status.role, 'SELLER');
    assert.ok(Date.parse(status.last_seen) >= left - 1000, status.last_seen);
    const fromNode1 = await statusOf(buyer, 's1');
    assert.equal(fromNode1.online, false);
    assert.equal(fromNode1.last_seen, status.last_seen);

    seller = await user(node2, 's1', 'SELLER');
    status = await nextStatus(buyer, 's1');
    assert.equal(status.online, true);

    buyer.close();
    status = await nextStatus(seller, 'b1');
    assert.equal(status.online, false);
    assert.equal((await statusOf(seller, 'b1')).online, false);
    const again = await user(node1, 'b1');
    status = await nextStatus(seller, 'b1');
    assert.equal(status.online, true);
    assert.equal((await statusOf(again, 's1')).online, true);
  });

  it('a user with tabs on two nodes is online until the last one closes', { timeout: 30000 }, async () => {
    const buyer = await user(node1, 'b2');
    // The room first (see the test above).
    await createRoom(buyer, 'b2', 's2');
    const tab1 = await user(node1, 's2', 'SELLER');
    assert.equal((await nextStatus(buyer, 's2')).online, true, 'the first tab cluster-wide');
    const tab2 = await user(node2, 's2', 'SELLER');
    await expectNoEvent(buyer, 'user_status', 500);  // not the first tab cluster-wide

    tab1.close();
    await expectNoEvent(buyer, 'user_status', 500);  // a tab is left on node 2
    assert.equal((await statusOf(buyer, 's2')).online, true);
    // Another partner of s2 (only partners may read a user's status), on the other node.
    const onNode2 = await user(node2, 'b2-watcher');
    await createRoom(onNode2, 'b2-watcher', 's2');
    assert.equal((await statusOf(onNode2, 's2')).online, true);

    tab2.close();
    const status = await nextStatus(buyer, 's2');
    assert.equal(status.online, false);
    assert.equal((await statusOf(onNode2, 's2')).online, false);
  });

  it('the users of a killed node read offline from the others after the TTL, and their partners are told', { timeout: 30000 }, async () => {
    const node3 = await startNode();
    const seller = await user(node3, 's3', 'SELLER');
    const watcher = await user(node1, 'b3');
    await createRoom(watcher, 'b3', 's3');
    await waitFor(seller, 'create_room');
    assert.equal((await statusOf(watcher, 's3')).online, true);

    await node3.kill('SIGKILL');
    const killedAt = Date.now();
    assert.equal((await statusOf(watcher, 's3')).online, true, 'still within the TTL');
    seller.close();

    // A surviving node announces it: the partner's next user_status for s3 says offline.
    const [announced] = await waitFor(watcher, 'user_status', PRESENCE_TTL_MS + 8000);
    assert.equal(announced.user_id, 's3', JSON.stringify(announced));
    assert.equal(announced.online, false);
    assert.ok(Date.now() - killedAt >= PRESENCE_TTL_MS / 3, 'announced before the TTL could pass');

    let status;
    for (;;) {
      status = await statusOf(watcher, 's3');
      if (!status.online || Date.now() - killedAt > PRESENCE_TTL_MS + 5000) break;
      await sleep(100);
    }
    const wentOfflineAfter = Date.now() - killedAt;
    assert.equal(status.online, false, 'still online long after the TTL');
    assert.ok(wentOfflineAfter >= PRESENCE_TTL_MS / 3, `offline after only ${wentOfflineAfter} ms`);
    assert.equal(status.role, 'SELLER');
    assert.ok(status.last_seen, 'last_seen: the dead node\'s last heartbeat');
    assert.ok(Date.parse(status.last_seen) <= killedAt);
    await node3.stop();
  });

  it('presence comes back by itself after Redis restarts; meanwhile each node answers for its own users', { timeout: 40000 }, async () => {
    const buyer = await user(node1, 'b4');
    await createRoom(buyer, 'b4', 's4');  // before s4 connects: see the test above
    const seller = await user(node2, 's4', 'SELLER');
    assert.equal((await nextStatus(buyer, 's4')).online, true);
    assert.equal((await statusOf(buyer, 's4')).online, true);

    await redis.halt();
    assert.equal((await statusOf(seller, 's4')).online, true, 'node 2 knows its own user');
    assert.equal((await statusOf(buyer, 'b4')).online, true, 'node 1 knows its own user');
    await redis.resume();  // empty: nothing was saved

    // The nodes reconnect and register their live users again.
    const deadline = Date.now() + 15000;
    while (!(await statusOf(buyer, 's4')).online) {
      assert.ok(Date.now() < deadline, 'node 2 never re-registered s4');
      await sleep(200);
    }
    assert.equal((await statusOf(seller, 'b4')).online, true, 'node 1 re-registered b4');

    seller.close();
    const status = await nextStatus(buyer, 's4');
    assert.equal(status.online, false);
    assert.equal((await statusOf(buyer, 's4')).online, false);
  });
});
