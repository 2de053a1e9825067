'use strict';
// Namespaces: several on one connection, handshake query/auth, middleware refusals, and the
// server disconnecting one namespace or the whole connection.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const {
  startServer, connect, openSocket, manager, once, waitFor, expectNoEvent, emitWithAck, closeAllSockets,
} = require('../lib/harness');
const { REPO_ROOT } = require('../lib/server');

describe('namespaces', () => {
  let srv;
  before(async () => {
    srv = await startServer({ args: ['--test-namespaces'] });
  });
  after(async () => {
    closeAllSockets();
    await srv.stop();
  });
  afterEach(() => closeAllSockets());

  it('`welcome` shows the socket id, namespace, handshake query and auth', { timeout: 10000 }, async () => {
    const auth = { token: 'abc', nested: { n: 1, list: [true, null] } };
    const socket = await connect(`${srv.url}/test`, { query: { foo: 'bar', n: '42' }, auth });
    const [welcome] = await waitFor(socket, 'welcome');
    assert.equal(welcome.id, socket.id);
    assert.equal(typeof welcome.id, 'string');
    assert.ok(welcome.id.length > 0);
    assert.equal(welcome.nsp, '/test');
    assert.equal(welcome.query.foo, 'bar');
    assert.equal(welcome.query.n, '42');
    assert.deepEqual(welcome.auth, auth);
  });

  it('the main namespace `/` is served too', { timeout: 10000 }, async () => {
    const socket = await connect(srv.url, { transports: ['websocket'] });
    const [welcome] = await waitFor(socket, 'welcome');
    assert.equal(welcome.nsp, '/');
    assert.equal(welcome.id, socket.id);
    assert.equal(await emitWithAck(socket, 'echo', 'root'), 'root');
  });

  it('socket ids are unique', { timeout: 10000 }, async () => {
    const sockets = await Promise.all(Array.from({ length: 10 }, () => connect(`${srv.url}/test`)));
    assert.equal(new Set(sockets.map((s) => s.id)).size, 10);
  });

  it('two namespaces share one connection, each with its own events', { timeout: 10000 }, async () => {
    const m = manager(srv.url);
    const a = await openSocket(m.socket('/test'));
    const b = await openSocket(m.socket('/test2'));
    assert.equal(a.io, b.io);
    const [wa] = await waitFor(a, 'welcome');
    const [wb] = await waitFor(b, 'welcome');
    assert.equal(wa.nsp, '/test');
    assert.equal(wb.nsp, '/test2');
    assert.notEqual(wa.id, wb.id);

    a.emit('echo', 'for a');
    b.emit('echo', 'for b');
    assert.deepEqual(await waitFor(a, 'echo'), ['for a']);
    assert.deepEqual(await waitFor(b, 'echo'), ['for b']);
    await expectNoEvent(a, 'echo', 200);
    await expectNoEvent(b, 'echo', 0);
  });

  it('middleware refusal by auth: connect_error "refused" with data.reason', { timeout: 10000 }, async () => {
    await assert.rejects(connect(`${srv.url}/test`, { auth: { refuse: 'banned by auth' } }), (err) => {
      assert.equal(err.message, 'refused');
      assert.deepEqual(err.data, { reason: 'banned by auth' });
      return true;
    });
  });

  it('middleware refusal by query, on the main namespace too', { timeout: 10000 }, async () => {
    for (const url of [srv.url, `${srv.url}/test2`]) {
      await assert.rejects(connect(url, { query: { refuse: 'banned by query' } }), (err) => {
        assert.equal(err.message, 'refused');
        assert.deepEqual(err.data, { reason: 'banned by query' });
        return true;
      });
    }
  });

  it('a refusal on one namespace leaves the connection and other namespaces working', { timeout: 10000 }, async () => {
    const m = manager(srv.url, { transports: ['websocket'] });
    const ok = await openSocket(m.socket('/test2'));
    const engineId = m.engine.id;
    const refused = m.socket('/test', { auth: { refuse: 'only this one' } });
    await assert.rejects(openSocket(refused), /refused/);
    assert.equal(ok.connected, true);
    assert.equal(await emitWithAck(ok, 'echo', 'alive'), 'alive');
    // The refused namespace can be joined on the same connection with acceptable credentials.
    refused.auth = { token: 'fine' };
    const later = await openSocket(refused);
    assert.equal(later.io, ok.io);
    assert.equal(m.engine.id, engineId, 'still the same Engine.IO session');
    assert.equal(await emitWithAck(later, 'echo', 'joined'), 'joined');
  });

  it('an unknown namespace is refused with "Invalid namespace"', { timeout: 10000 }, async () => {
    await assert.rejects(connect(`${srv.url}/no-such-namespace`), (err) => {
      assert.equal(err.message, 'Invalid namespace');
      return true;
    });
  });

  it('`disconnect_me` disconnects only that namespace', { timeout: 10000 }, async () => {
    const m = manager(srv.url);
    const a = await openSocket(m.socket('/test'));
    const b = await openSocket(m.socket('/test2'));
    const closed = once(a, 'disconnect', 5000);
    a.emit('disconnect_me');
    const [reason] = await closed;
    assert.equal(reason, 'io server disconnect');
    assert.equal(a.connected, false);
    assert.equal(b.connected, true);
    assert.equal(await emitWithAck(b, 'echo', 'b lives'), 'b lives');
  });

  it('`close_me` closes the whole connection: every namespace on it', { timeout: 10000 }, async () => {
    const m = manager(srv.url, { transports: ['websocket'] });
    const a = await openSocket(m.socket('/test'));
    const b = await openSocket(m.socket('/test2'));
    const managerClosed = once(m, 'close', 5000);
    const aGone = once(a, 'disconnect', 5000);
    const bGone = once(b, 'disconnect', 5000);
    b.emit('close_me');
    await managerClosed;
    const [[ra], [rb]] = await Promise.all([aGone, bGone]);
    for (const reason of [ra, rb]) assert.ok(['transport close', 'io server disconnect'].includes(reason), reason);
    // Other connections are untouched.
    const other = await connect(`${srv.url}/test`);
    assert.equal(await emitWithAck(other, 'echo', 'other'), 'other');
  });
});

// The echo namespaces come from the test server (tests/test_server/) only: the production
// binary has neither them nor the flag.
describe('the production binary has no test namespaces', () => {
  const production = process.env.CZ_BINARY || path.join(REPO_ROOT, 'build', 'cz-messenger');

  it('refuses --test-namespaces as an unknown flag', { timeout: 15000 }, () => {
    const run = spawnSync(production, ['--test-namespaces', '--port', '0', '--store', 'memory'], {
      encoding: 'utf8',
      timeout: 10000,
    });
    assert.equal(run.error, undefined, String(run.error));
    assert.notEqual(run.status, 0, `exit ${run.status}, signal ${run.signal}`);
    assert.match(run.stderr + run.stdout, /--test-namespaces/);
  });

  it('/, /test and /test2 are unknown namespaces', { timeout: 15000 }, async () => {
    const srv = await startServer({ store: 'memory' });
    try {
      for (const name of ['/', '/test', '/test2']) {
        await assert.rejects(connect(`${srv.url}${name}`), (err) => {
          assert.equal(err.message, 'Invalid namespace', name);
          return true;
        });
      }
    } finally {
      closeAllSockets();
      await srv.stop();
    }
  });
});
