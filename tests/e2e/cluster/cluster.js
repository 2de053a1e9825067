'use strict';
// A messenger cluster for the cluster tests: redis-server, PostgreSQL, N cz-messenger nodes
// (--redis, one --store database, one JWT secret) and, when asked, HAProxy from the sample
// deploy/haproxy.cfg in front of them. Everything is stopped by stop() (and by the harness at the
// end of the file whatever happened).
const assert = require('node:assert/strict');
const { startServer, startRedis, startPostgres, emitWithAck, once, sleep } = require('../lib/harness');
const { startHaproxy } = require('../lib/haproxy');
const { SECRET, token, roomOf } = require('../messenger/helpers');

function nodeArgs(redisUrl, storeUrl, extra = []) {
  return ['--jwt-secret', SECRET, '--redis', redisUrl, '--store', storeUrl, '--log-level', 'info', ...extra];
}

// A node prints `listening` only once Redis has confirmed its subscriptions (or after 5 s with
// Redis down, which these tests never want): check that it did connect, so that a test on a node
// serving alone fails here, by name, rather than later on a missing broadcast.
async function subscribed(node, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  // The current process's output only (a restarted node's earlier run has the line too).
  while (!/redis subscriber: (re)?connected to/.test(node.proc.output())) {
    if (Date.now() > deadline) throw new Error(`node ${node.url} never connected to Redis:\n${node.output()}`);
    await sleep(50);
  }
}

// storeParams: appended to the PostgreSQL URL (store options such as '?queue_wait_ms=N').
async function startCluster({ nodes = 3, haproxy = false, nodeExtraArgs = [], storeParams = '' } = {}) {
  const cluster = { nodes: [], lb: null, redis: null, pg: null };
  cluster.stop = async () => {
    if (cluster.lb) await cluster.lb.stop().catch(() => {});
    // A node killed on purpose is not checked; the others must exit cleanly.
    const results = await Promise.allSettled(cluster.nodes.map((n) => n.stop()));
    await cluster.redis?.stop().catch(() => {});
    await cluster.pg?.stop().catch(() => {});
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  try {
    [cluster.redis, cluster.pg] = await Promise.all([startRedis(), startPostgres({ database: 'cz_cluster' })]);
    const args = nodeArgs(cluster.redis.url, cluster.pg.url + storeParams, nodeExtraArgs);
    // Started together on purpose: the schema migration must be safe with several nodes at once.
    cluster.nodes = await Promise.all(Array.from({ length: nodes }, () => startServer({ args })));
    await Promise.all(cluster.nodes.map((n) => subscribed(n)));
    if (haproxy) cluster.lb = await startHaproxy({ nodes: cluster.nodes });
  } catch (err) {
    await cluster.stop().catch(() => {});
    throw err;
  }
  return cluster;
}

// The credentials of a messenger user (buyers are named b*, sellers s*).
function credentials(userId) {
  return { token: token(userId), user_id: userId, user_role: userId.startsWith('b') ? 'BUYER' : 'SELLER' };
}

// Resolves once the socket's Engine.IO connection runs over WebSocket.
async function upgraded(socket, timeoutMs = 10000) {
  const engine = socket.io.engine;
  if (engine.transport.name !== 'websocket') await once(engine, 'upgrade', timeoutMs);
  assert.equal(engine.transport.name, 'websocket');
}

async function createRoom(socket, buyer, seller) {
  const reply = await emitWithAck(socket, 'create_room', { type: 'BS', buyer, seller, shop_id: 'shop-1' });
  assert.equal(reply.error, undefined, JSON.stringify(reply.error));
  return reply.room;
}

function messagePayload(from, to, content, extra = {}) {
  return { room_id: roomOf(from, to), from, to, type: 'TEXT', content, ...extra };
}

module.exports = { startCluster, subscribed, nodeArgs, credentials, upgraded, createRoom, messagePayload, roomOf, SECRET };
