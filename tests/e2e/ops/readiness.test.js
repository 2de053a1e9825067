'use strict';
// GET /healthz (the process is up) and GET /readyz (it can serve: the store answers and, in
// cluster mode, Redis is connected), with PostgreSQL and Redis stopped under it.
const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { httpRequest, startPostgres, startRedis } = require('../lib/harness');
const { startMessenger } = require('../messenger/helpers');
const { waitUntil } = require('./helpers');

const readyz = (srv) => httpRequest(`${srv.url}/readyz`);

describe('health and readiness', () => {
  const stops = [];
  after(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('/healthz and /readyz answer 200 on a healthy single node', { timeout: 20000 }, async () => {
    const srv = await startMessenger();
    stops.push(() => srv.stop());
    const health = await httpRequest(`${srv.url}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(health.body, 'ok');
    const ready = await readyz(srv);
    assert.equal(ready.status, 200, ready.body);
    assert.equal(ready.body, 'ready\n');
    assert.equal((await httpRequest(`${srv.url}/readyz`, { method: 'POST', body: '' })).status, 405);
  });

  it('/readyz is 503 while PostgreSQL is down, 200 again once it is back', { timeout: 90000 }, async () => {
    const pg = await startPostgres();
    stops.push(() => pg.stop());
    const srv = await startMessenger([], { store: pg.url });
    stops.push(() => srv.stop());
    assert.equal((await readyz(srv)).status, 200);

    await pg.halt();
    const down = await waitUntil(async () => {
      const res = await readyz(srv);
      return res.status === 503 ? res : null;
    }, '/readyz did not report the store down');
    assert.match(down.body, /^not ready\nstore: STORE_UNAVAILABLE/);
    assert.doesNotMatch(down.body, /redis/, 'no Redis on a single node');
    const health = await httpRequest(`${srv.url}/healthz`);
    assert.equal(health.status, 200, 'the process is still alive');

    await pg.resume();
    await waitUntil(async () => (await readyz(srv)).status === 200,
      '/readyz did not recover with PostgreSQL', 30000, 250);
  });

  it('/readyz is 503 while Redis is down, 200 again once it is back', { timeout: 60000 }, async () => {
    const redis = await startRedis();
    stops.push(() => redis.stop());
    const srv = await startMessenger(['--redis', redis.url]);
    stops.push(() => srv.stop());
    assert.equal((await readyz(srv)).status, 200);

    await redis.halt();
    const down = await waitUntil(async () => {
      const res = await readyz(srv);
      return res.status === 503 ? res : null;
    }, '/readyz did not report Redis down');
    assert.match(down.body, /^not ready\nredis: not connected \(publisher down, subscriber down\)\n$/);
    assert.equal((await httpRequest(`${srv.url}/healthz`)).status, 200);

    await redis.resume();
    await waitUntil(async () => (await readyz(srv)).status === 200,
      '/readyz did not recover with Redis', 30000, 250);
  });
});
