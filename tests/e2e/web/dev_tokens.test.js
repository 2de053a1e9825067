'use strict';
// --dev-tokens: POST /dev/token mints tokens signed with the development secret that the socket
// handshake and REST accept; off by default (404) and refused together with a real secret.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const jwt = require('jsonwebtoken');
const { startServer, connect, emitWithAck, closeAllSockets, REPO_ROOT } = require('../lib/harness');

async function post(srv, body, headers = { 'content-type': 'application/json' }) {
  const res = await fetch(`${srv.url}/dev/token`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

function refusedWith(res, status, code) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.status, false);
  assert.equal(res.body.error.code, code);
  assert.ok(res.body.error.message.length > 0);
}

describe('--dev-tokens', () => {
  let srv;
  before(async () => {
    srv = await startServer({ store: 'sqlite', args: ['--dev-tokens'] });
  });
  after(async () => {
    closeAllSockets();
    if (srv) await srv.stop();
  });

  it('GET says the endpoint is on', { timeout: 10000 }, async () => {
    const res = await fetch(`${srv.url}/dev/token`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.dev_tokens, true);
    assert.ok(body.lifetime_s > 0);
  });

  it('mints a token the socket handshake and REST accept, signed with the development secret', { timeout: 15000 }, async () => {
    const res = await post(srv, { user_id: 'alice', role: 'buyer' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.body.user_id, 'alice');
    assert.equal(res.body.role, 'BUYER');
    assert.ok(Date.parse(res.body.expires_at) > Date.now());

    const secret = fs.readFileSync(path.join(srv.dataDir, 'jwt-secret'), 'utf8').trim();
    const claims = jwt.verify(res.body.token, secret, { algorithms: ['HS256'] });
    assert.equal(claims.sub, 'alice');
    assert.equal(claims.role, 'BUYER');
    assert.equal(claims.exp * 1000, Date.parse(res.body.expires_at));

    const socket = await connect(`${srv.url}/messenger`, {
      auth: { token: res.body.token, user_id: 'alice', user_role: 'BUYER' },
    });
    const status = await emitWithAck(socket, 'get_user_status', { user_ids: ['alice'] });
    assert.equal(status.users[0].online, true);
    const rooms = await fetch(`${srv.url}/v1/rooms`, { headers: { authorization: `Bearer ${res.body.token}` } });
    assert.equal(rooms.status, 200);
    assert.deepEqual((await rooms.json()).rooms, []);
  });

  it('refuses bad requests with the REST refusal shape', { timeout: 10000 }, async () => {
    refusedWith(await post(srv, { role: 'BUYER' }), 400, 'VALIDATION_ERROR');
    refusedWith(await post(srv, { user_id: '', role: 'BUYER' }), 400, 'VALIDATION_ERROR');
    refusedWith(await post(srv, { user_id: 'a\u0001b', role: 'BUYER' }), 400, 'VALIDATION_ERROR');
    refusedWith(await post(srv, { user_id: 'x'.repeat(129), role: 'BUYER' }), 400, 'VALIDATION_ERROR');
    refusedWith(await post(srv, { user_id: 'alice' }), 400, 'VALIDATION_ERROR');
    refusedWith(await post(srv, { user_id: 'alice', role: 'ADMIN' }), 400, 'VALIDATION_ERROR');
    refusedWith(await post(srv, '{"user_id": "alice",'), 400, 'INVALID_JSON');
    refusedWith(await post(srv, '[1]'), 400, 'VALIDATION_ERROR');
    refusedWith(await post(srv, 'user_id=alice', { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    refusedWith(await post(srv, { user_id: 'x'.repeat(5000), role: 'BUYER' }), 413, 'PAYLOAD_TOO_LARGE');
    const put = await fetch(`${srv.url}/dev/token`, { method: 'PUT' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, POST');
    assert.equal((await fetch(`${srv.url}/dev/tokens`, { method: 'POST' })).status, 404);
  });
});

describe('without --dev-tokens', () => {
  it('/dev/token does not exist', { timeout: 15000 }, async () => {
    const srv = await startServer({ store: 'sqlite' });
    try {
      assert.equal((await fetch(`${srv.url}/dev/token`)).status, 404);
      const res = await fetch(`${srv.url}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 'alice', role: 'BUYER' }),
      });
      assert.equal(res.status, 404);
      assert.equal((await res.json()).token, undefined);
    } finally {
      await srv.stop();
    }
  });
});

describe('--dev-tokens with a real secret', () => {
  const binary = process.env.CZ_BINARY || path.join(REPO_ROOT, 'build', 'cz-messenger');
  const run = (args, env = {}) =>
    spawnSync(binary, ['--port', '0', '--store', 'memory', ...args], {
      encoding: 'utf8',
      timeout: 10000,
      env: { ...process.env, ...env },
    });

  it('is refused with --jwt-secret, CZ_JWT_SECRET or --jwt-public-key', { timeout: 20000 }, () => {
    const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cz-devtok-'));
    const keyFile = path.join(keyDir, 'key.pem');
    fs.writeFileSync(keyFile, '-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n');
    try {
      for (const [args, env] of [
        [['--dev-tokens', '--jwt-secret', 's3cret'], {}],
        [['--dev-tokens'], { CZ_JWT_SECRET: 's3cret' }],
        [['--jwt-public-key', keyFile], { CZ_DEV_TOKENS: '1' }],
      ]) {
        const result = run(args, env);
        assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}${result.stdout}`);
        assert.match(result.stderr, /--dev-tokens cannot be combined with --jwt-secret or --jwt-public-key/);
        assert.doesNotMatch(result.stdout, /listening/);
      }
    } finally {
      fs.rmSync(keyDir, { recursive: true, force: true });
    }
  });
});
