'use strict';
// Handshake authentication (JWT) and verify_user.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const jwt = require('jsonwebtoken');
const { startServer, emitWithAck, waitFor, once, closeAllSockets } = require('../lib/harness');
const { SECRET, token, unsignedToken, user, refusedConnect, useMessenger } = require('./helpers');

describe('messenger authentication (HS256)', () => {
  let srv;
  useMessenger((started) => (srv = started));

  it('accepts a verified user, credentials in the auth payload or in the query', async () => {
    const a = await user(srv, 'b1', 'BUYER');
    const b = await user(srv, 'b1', 'BUYER', { via: 'query', transports: ['websocket'] });
    assert.ok(a.connected && b.connected);
    const withRole = await user(srv, 's1', 'SELLER', { tokenValue: token('s1', { role: 'SELLER' }) });
    assert.ok(withRole.connected);
  });

  const refusals = [
    ['no token', { user_id: 'b1', user_role: 'BUYER' }, 'token missing'],
    ['no user_id', { token: token('b1'), user_role: 'BUYER' }, 'user_id missing'],
    ['no user_role', { token: token('b1'), user_id: 'b1' }, 'user_role missing'],
    ['an unknown role', { token: token('b1'), user_id: 'b1', user_role: 'ADMIN' }, 'user_role must be BUYER or SELLER'],
    ['a token of another user', { token: token('b2'), user_id: 'b1', user_role: 'BUYER' }, 'subject mismatch'],
    ['a token for the other role', { token: token('b1', { role: 'SELLER' }), user_id: 'b1', user_role: 'BUYER' }, 'role mismatch'],
    ['an expired token', { token: token('b1', { exp: Math.floor(Date.now() / 1000) - 3600 }), user_id: 'b1', user_role: 'BUYER' }, 'token expired'],
    ['a token not valid yet', { token: jwt.sign({ sub: 'b1' }, SECRET, { notBefore: '1h' }), user_id: 'b1', user_role: 'BUYER' }, 'token not yet valid'],
    ['a token signed with another secret', { token: token('b1', {}, { key: 'not-the-secret' }), user_id: 'b1', user_role: 'BUYER' }, 'bad signature'],
    ['alg none', { token: unsignedToken('b1'), user_id: 'b1', user_role: 'BUYER' }, 'algorithm not allowed'],
    ['HS512', { token: token('b1', {}, { algorithm: 'HS512' }), user_id: 'b1', user_role: 'BUYER' }, 'algorithm not allowed'],
    ['a malformed token', { token: 'not-a-jwt', user_id: 'b1', user_role: 'BUYER' }, 'malformed token'],
  ];
  for (const [what, credentials, reason] of refusals) {
    it(`refuses ${what} with CONNECT_ERROR unauthorized`, async () => {
      const err = await refusedConnect(srv, credentials);
      assert.equal(err.message, 'unauthorized');
      assert.deepEqual(err.data, { reason });
    });
  }

  it('refuses in the query string too', async () => {
    const err = await refusedConnect(srv, { token: token('b2'), user_id: 'b1', user_role: 'BUYER' }, 'query');
    assert.equal(err.message, 'unauthorized');
    assert.deepEqual(err.data, { reason: 'subject mismatch' });
  });

  it('verify_user with a fresh token answers status true (event and ack)', async () => {
    const a = await user(srv, 'b1');
    const reply = await emitWithAck(a, 'verify_user', { token: token('b1'), user_id: 'b1', user_role: 'BUYER' });
    assert.equal(reply.status, true);
    const [event] = await waitFor(a, 'verify_user');
    assert.equal(event.status, true);
    assert.ok(a.connected);
  });

  it('verify_user with a bad token answers status false and disconnects', async () => {
    const a = await user(srv, 'b1');
    const disconnected = once(a, 'disconnect');
    a.emit('verify_user', { token: token('b1', {}, { key: 'wrong' }), user_id: 'b1', user_role: 'BUYER' });
    const [event] = await waitFor(a, 'verify_user');
    assert.equal(event.status, false);
    assert.equal(event.reason, 'bad signature');
    const [reason] = await disconnected;
    assert.equal(reason, 'io server disconnect');
  });

  it('verify_user cannot switch a connection to another user', async () => {
    const a = await user(srv, 'b1');
    const disconnected = once(a, 'disconnect');
    const reply = await emitWithAck(a, 'verify_user', { token: token('b2'), user_id: 'b2', user_role: 'BUYER' });
    assert.equal(reply.status, false);
    await disconnected;
  });
});

describe('messenger authentication (RS256 and ES256 public keys)', () => {
  for (const [algorithm, keyOptions] of [
    ['RS256', ['rsa', { modulusLength: 2048 }]],
    ['ES256', ['ec', { namedCurve: 'P-256' }]],
  ]) {
    it(`${algorithm}: accepts tokens of the key, refuses other keys and HS256`, async () => {
      const { privateKey, publicKey } = crypto.generateKeyPairSync(...keyOptions);
      const other = crypto.generateKeyPairSync(...keyOptions).privateKey;
      const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'cz-jwt-'));
      const keyFile = path.join(dir, 'public.pem');
      fs.writeFileSync(keyFile, publicKey.export({ type: 'spki', format: 'pem' }));
      const srv = await startServer({ store: 'sqlite', args: ['--jwt-public-key', keyFile] });
      try {
        const sign = (key, sub = 's1') => jwt.sign({ sub }, key, { algorithm, expiresIn: '1h' });
        for (let i = 0; i < 5; i++) {
          const s = await user(srv, 's1', 'SELLER', { tokenValue: sign(privateKey) });
          assert.ok(s.connected);
          s.close();
        }
        const wrongKey = await refusedConnect(srv, { token: sign(other), user_id: 's1', user_role: 'SELLER' });
        assert.deepEqual(wrongKey.data, { reason: 'bad signature' });
        // HS256 keyed with the public PEM (algorithm confusion) must not pass.
        const pem = publicKey.export({ type: 'spki', format: 'pem' });
        const confused = await refusedConnect(srv, { token: jwt.sign({ sub: 's1' }, pem, { algorithm: 'HS256' }), user_id: 's1', user_role: 'SELLER' });
        assert.deepEqual(confused.data, { reason: 'algorithm not allowed' });
      } finally {
        closeAllSockets();
        await srv.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
