'use strict';
// wsgen's pure parts: Socket.IO packet parsing, tokens, percentiles, options and shares.
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { parseSioPacket } = require('../lib/sio_client');
const { mintHs256Token } = require('../lib/jwt');
const { summarize, percentileOfSorted } = require('../lib/latency');
const { parseOptions, shareOf, UsageError } = require('../lib/options');

test('Socket.IO packets: namespace, ack id and data are split as the server writes them', () => {
  assert.deepEqual(parseSioPacket('3/messenger,12[{"_id":"x"}]'), { type: '3', nsp: '/messenger', ackId: 12, data: '[{"_id":"x"}]' });
  assert.deepEqual(parseSioPacket('2/messenger,["new_message",{}]'), { type: '2', nsp: '/messenger', ackId: null, data: '["new_message",{}]' });
  assert.deepEqual(parseSioPacket('0/messenger,{"sid":"a"}'), { type: '0', nsp: '/messenger', ackId: null, data: '{"sid":"a"}' });
  assert.deepEqual(parseSioPacket('1/messenger'), { type: '1', nsp: '/messenger', ackId: null, data: '' });
  assert.deepEqual(parseSioPacket('2["x"]'), { type: '2', nsp: '/', ackId: null, data: '["x"]' });
  assert.equal(parseSioPacket(''), null);
});

test('tokens: HS256 over header.claims, the claims of cz-loadgen', () => {
  const token = mintHs256Token('s3cret', 'b1', 'BUYER', 1000, 60);
  const [header, claims, mac] = token.split('.');
  assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url')), { alg: 'HS256', typ: 'JWT' });
  assert.deepEqual(JSON.parse(Buffer.from(claims, 'base64url')), { sub: 'b1', role: 'BUYER', iat: 1000, exp: 1060 });
  assert.equal(mac, crypto.createHmac('sha256', 's3cret').update(`${header}.${claims}`).digest('base64url'));
});

test('percentiles: nearest rank over 100 ns units, as cz-loadgen', () => {
  const sorted = Uint32Array.from({ length: 1000 }, (_, i) => (i + 1) * 10); // 1..1000 µs
  assert.equal(percentileOfSorted(sorted, 0.5), 500);
  assert.equal(percentileOfSorted(sorted, 0.99), 990);
  assert.equal(percentileOfSorted(sorted, 0.999), 999);
  const s = summarize([sorted.subarray(500), sorted.subarray(0, 500)]);
  assert.equal(s.count, 1000);
  assert.equal(s.p50_us, 500);
  assert.equal(s.max_us, 1000);
  assert.equal(s.mean_us, 500.5);
  assert.equal(summarize([]).count, 0);
});

test('options: cz-loadgen defaults and ranges; threads share conversations and rate', () => {
  const o = parseOptions(['--port', '3000', '--pairs', '5', '--rate', '1000', '--threads', '2'], { CZ_JWT_SECRET: 'x' });
  assert.equal(o.jwtSecret, 'x');
  assert.equal(o.duration, 10);
  assert.equal(o.warmup, 1);
  const shares = [shareOf(o, 0), shareOf(o, 1)];
  assert.deepEqual(shares.map((s) => s.pairs), [3, 2]);
  assert.deepEqual(shares.map((s) => s.rate), [600, 400]);
  assert.notEqual(shares[0].userPrefix, shares[1].userPrefix);
  const fanout = parseOptions(['--port', '1', '--jwt-secret', 'x', '--scenario', 'fanout'], {});
  assert.equal(fanout.tabs, 10);
  assert.equal(fanout.pairs, 1);
  assert.throws(() => parseOptions(['--port', '1', '--jwt-secret', 'x', '--pairs', '0'], {}), UsageError);
  assert.throws(() => parseOptions(['--port', '1'], {}), /jwt-secret/);
  assert.throws(() => parseOptions(['--port', '1', '--jwt-secret', 'x', '--host', '10.0.0.1'], {}), /loopback/);
  assert.throws(() => parseOptions(['--port', '1', '--jwt-secret', 'x', '--bogus', '1'], {}), UsageError);
});
