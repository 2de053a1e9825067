'use strict';
// GET /metrics: the Prometheus text format (read by prometheus_client's parser), and counters
// that move with the traffic that causes them.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { httpRequest, emitWithAck, waitFor, closeAllSockets, startRedis } = require('../lib/harness');
const { startMessenger, user, createRoom, send, messagePayload } = require('../messenger/helpers');
const { scrape, sample, waitUntil } = require('./helpers');

const NS = '/messenger';

describe('GET /metrics', () => {
  let srv;
  before(async () => {
    // The smallest send queue, for the slow client below.
    srv = await startMessenger(['--max-send-queue', '4096']);
  });
  after(async () => {
    closeAllSockets();
    if (srv) await srv.stop();
  });

  it('is the text format 0.0.4 and every family parses', { timeout: 30000 }, async () => {
    const { families, headers, text } = await scrape(srv);
    assert.match(headers['content-type'], /^text\/plain; version=0\.0\.4/);
    const names = new Set(families.map((f) => f.name));
    // prometheus_client names a counter family without its _total suffix.
    for (const name of [
      'cz_connections', 'cz_engineio_handshakes', 'cz_socketio_connects', 'cz_socketio_sockets',
      'cz_socketio_events_received', 'cz_socketio_events_sent', 'cz_messages_stored',
      'cz_store_commit_seconds', 'cz_store_queue_depth', 'cz_store_transactions',
      'cz_slow_clients_dropped', 'cz_errors', 'process_cpu_seconds', 'process_resident_memory_bytes',
      'process_open_fds', 'process_max_fds', 'process_start_time_seconds',
    ]) {
      assert.ok(names.has(name), `no ${name} family in:\n${text}`);
    }
    for (const f of families) assert.ok(f.help.length > 0, `${f.name} has no help`);
    assert.ok(sample(families, 'process_resident_memory_bytes') > 1e6);
    assert.ok(sample(families, 'process_open_fds') > 3);
    assert.ok(sample(families, 'process_cpu_seconds_total') > 0);
    const started = sample(families, 'process_start_time_seconds');
    assert.ok(Math.abs(started - Date.now() / 1000) < 3600, `start time ${started}`);
    // Families known in advance are there at 0 before any traffic.
    assert.equal(sample(families, 'cz_errors_total', { api: 'socket', code: 'VALIDATION_ERROR' }), 0);
    assert.equal(sample(families, 'cz_slow_clients_dropped_total', { transport: 'websocket' }), 0);
    assert.equal(sample(families, 'cz_store_commit_seconds_bucket', { le: '+Inf' }), 0);
  });

  it('answers GET and HEAD only', { timeout: 10000 }, async () => {
    const head = await httpRequest(`${srv.url}/metrics`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const post = await httpRequest(`${srv.url}/metrics`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });

  it('counters move with the traffic', { timeout: 60000 }, async () => {
    const before = (await scrape(srv)).families;
    const value = (families, name, labels) => sample(families, name, labels) ?? 0;
    const delta = (after, name, labels) => value(after, name, labels) - value(before, name, labels);

    const buyer = await user(srv, 'b1', 'BUYER', { transports: ['websocket'] });
    const seller = await user(srv, 's1', 'SELLER', { transports: ['polling'] });
    await createRoom(buyer, 'b1', 's1');
    const sent = 5;
    for (let i = 0; i < sent; i++) await send(buyer, 'b1', 's1', `hello ${i}`);
    for (let i = 0; i < sent; i++) await waitFor(seller, 'new_message');
    // Refusals: one validation error, one event nobody handles.
    const bad = await emitWithAck(buyer, 'new_message', messagePayload('b1', 's1', ''));
    assert.equal(bad.error.code, 'VALIDATION_ERROR');
    const unknown = await emitWithAck(buyer, 'no_such_event', {});
    assert.equal(unknown.error.code, 'UNKNOWN_EVENT');

    const during = (await scrape(srv)).families;
    assert.equal(delta(during, 'cz_connections', { transport: 'websocket' }), 1);
    assert.equal(delta(during, 'cz_connections', { transport: 'polling' }), 1);
    assert.equal(delta(during, 'cz_engineio_handshakes_total', { transport: 'websocket' }), 1);
    assert.equal(delta(during, 'cz_engineio_handshakes_total', { transport: 'polling' }), 1);
    assert.equal(delta(during, 'cz_socketio_connects_total', { namespace: NS, outcome: 'accepted' }), 2);
    assert.equal(delta(during, 'cz_socketio_sockets', { namespace: NS }), 2);
    assert.equal(delta(during, 'cz_socketio_events_received_total', { namespace: NS, event: 'new_message' }), sent + 1);
    assert.equal(delta(during, 'cz_socketio_events_received_total', { namespace: NS, event: 'create_room' }), 1);
    assert.equal(delta(during, 'cz_socketio_events_received_total', { namespace: NS, event: '_other' }), 1);
    // One broadcast per stored message (to both users' rooms: counted once).
    assert.equal(delta(during, 'cz_socketio_events_sent_total', { namespace: NS, event: 'new_message' }), sent);
    assert.equal(delta(during, 'cz_messages_stored_total', { api: 'socket' }), sent);
    assert.equal(delta(during, 'cz_errors_total', { api: 'socket', code: 'VALIDATION_ERROR' }), 1);
    assert.equal(delta(during, 'cz_errors_total', { api: 'socket', code: 'UNKNOWN_EVENT' }), 1);
    // Every message and the room are a commit at least... in batches, so at least one commit.
    assert.ok(delta(during, 'cz_store_commit_seconds_count') >= 1);
    assert.ok(delta(during, 'cz_store_commit_seconds_sum') > 0);
    assert.ok(delta(during, 'cz_store_writes_total') >= sent + 1);
    assert.equal(value(during, 'cz_store_queue_depth', { queue: 'writes' }), 0, 'nothing left queued');

    buyer.close();
    seller.close();
    await waitUntil(async () => {
      const after = (await scrape(srv)).families;
      return delta(after, 'cz_socketio_sockets', { namespace: NS }) === 0 &&
        delta(after, 'cz_connections', { transport: 'websocket' }) === 0 &&
        delta(after, 'cz_connections', { transport: 'polling' }) === 0;
    }, 'the sockets and sessions were not counted out after the clients left');
  });

  it('a polling client that does not fetch its packets is dropped and counted', { timeout: 60000 }, async () => {
    const before = (await scrape(srv)).families;
    // A seller whose polling transport stops polling: what is sent to it piles up in the
    // session until --max-send-queue (4 KiB here) is exceeded.
    const buyer = await user(srv, 'b2');
    const seller = await user(srv, 's2', 'SELLER', { transports: ['polling'] });
    await createRoom(buyer, 'b2', 's2');
    seller.io.engine.transport.pause(() => {});  // stops polling (Engine.IO client API)
    const big = 'x'.repeat(1000);
    for (let i = 0; i < 10; i++) await send(buyer, 'b2', 's2', `${big} ${i}`);
    await waitUntil(async () => {
      const after = (await scrape(srv)).families;
      return sample(after, 'cz_slow_clients_dropped_total', { transport: 'polling' }) -
        sample(before, 'cz_slow_clients_dropped_total', { transport: 'polling' }) === 1;
    }, 'the slow polling client was not counted');
    // Closed from the engine: a socket.close() would queue a DISCONNECT packet that the paused
    // transport never sends, and the client would linger until its ping timeout.
    seller.io.engine.close();
  });
});

describe('GET /metrics in cluster mode', () => {
  let srv;
  let redis;
  before(async () => {
    redis = await startRedis();
    srv = await startMessenger(['--redis', redis.url]);
  });
  after(async () => {
    closeAllSockets();
    if (srv) await srv.stop();
    if (redis) await redis.stop();
  });

  it('counts Redis publishes, receives and reconnects', { timeout: 60000 }, async () => {
    const first = (await scrape(srv)).families;
    assert.equal(sample(first, 'cz_redis_connected', { connection: 'publisher' }), 1);
    assert.equal(sample(first, 'cz_redis_connected', { connection: 'subscriber' }), 1);
    const buyer = await user(srv, 'b1');
    const seller = await user(srv, 's1', 'SELLER');
    await createRoom(buyer, 'b1', 's1');
    await send(buyer, 'b1', 's1', 'through redis');
    await waitFor(seller, 'new_message');
    const value = (families, name, labels) => sample(families, name, labels) ?? 0;
    await waitUntil(async () => {
      const now = (await scrape(srv)).families;
      // The room's and the message's broadcasts at least; a node hears its own publishes too.
      return value(now, 'cz_redis_publishes_total', { outcome: 'sent' }) - value(first, 'cz_redis_publishes_total', { outcome: 'sent' }) >= 2 &&
        value(now, 'cz_redis_messages_received_total') - value(first, 'cz_redis_messages_received_total') >= 2;
    }, 'publishes and receives did not move');

    await redis.restart();
    await waitUntil(async () => {
      const now = (await scrape(srv)).families;
      return value(now, 'cz_redis_reconnects_total', { connection: 'publisher' }) >= 1 &&
        value(now, 'cz_redis_reconnects_total', { connection: 'subscriber' }) >= 1 &&
        value(now, 'cz_redis_connected', { connection: 'subscriber' }) === 1;
    }, 'the reconnects were not counted', 20000);
  });
});
