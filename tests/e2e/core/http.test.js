'use strict';
// Engine.IO over raw HTTP: the handshake, the polling exchange byte by byte, the error replies,
// and CORS.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const {
  startServer, httpRequest, eioUrl, pollingHandshake, RECORD_SEPARATOR,
} = require('../lib/harness');

function assertEngineIoError(res, status, code, message) {
  assert.equal(res.status, status, `status ${res.status}, body ${res.body}`);
  assert.match(String(res.headers['content-type']), /application\/json/);
  assert.deepEqual(JSON.parse(res.body), { code, message });
}

// Long-polls `sid` until `want` packets have arrived (or the time is up); returns all packets.
async function pollPackets(base, sid, want, timeoutMs = 5000) {
  const packets = [];
  const deadline = Date.now() + timeoutMs;
  while (packets.length < want) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`got ${packets.length} of ${want} packets: ${JSON.stringify(packets)}`);
    const res = await httpRequest(eioUrl(base, { EIO: '4', transport: 'polling', sid }), { timeoutMs: left });
    assert.equal(res.status, 200, res.body);
    packets.push(...res.body.split(RECORD_SEPARATOR).filter((p) => p !== '6')); // skip noops
  }
  return packets;
}

function post(base, sid, body) {
  return httpRequest(eioUrl(base, { EIO: '4', transport: 'polling', sid }), {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
    body,
  });
}

describe('Engine.IO over HTTP', () => {
  let srv;
  before(async () => {
    srv = await startServer({ args: ['--test-namespaces'] });
  });
  after(async () => {
    await srv.stop();
  });

  it('polling handshake: open packet with the defaults', { timeout: 10000 }, async () => {
    const res = await httpRequest(eioUrl(srv.url, { EIO: '4', transport: 'polling' }));
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    assert.equal(res.body[0], '0');
    const open = JSON.parse(res.body.slice(1));
    assert.equal(typeof open.sid, 'string');
    assert.ok(open.sid.length >= 8, `sid ${open.sid} is short`);
    assert.deepEqual(open.upgrades, ['websocket']);
    assert.equal(open.pingInterval, 25000);
    assert.equal(open.pingTimeout, 20000);
    assert.equal(open.maxPayload, 1000000);
    const other = await pollingHandshake(srv.url);
    assert.notEqual(other.sid, open.sid);
  });

  it('Socket.IO by hand over polling: connect, event, ack, batched packets', { timeout: 15000 }, async () => {
    const { sid } = await pollingHandshake(srv.url);
    let res = await post(srv.url, sid, '40/test,');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'ok');
    // CONNECT reply, then the `welcome` event.
    const [connected, welcome] = await pollPackets(srv.url, sid, 2);
    assert.match(connected, /^40\/test,\{"sid":"[^"]+"\}$/);
    const socketId = JSON.parse(connected.slice('40/test,'.length)).sid;
    assert.ok(welcome.startsWith('42/test,["welcome",'), welcome);
    assert.equal(JSON.parse(welcome.slice('42/test,'.length))[1].id, socketId);

    // An event with an ack id: the ACK packet carries the same id.
    res = await post(srv.url, sid, '42/test,17["echo","by hand",{"n":1}]');
    assert.equal(res.status, 200);
    assert.deepEqual(await pollPackets(srv.url, sid, 1), ['43/test,17["by hand",{"n":1}]']);

    // Two packets in one POST, separated by the record separator.
    res = await post(srv.url, sid, `42/test,["echo",1]${RECORD_SEPARATOR}42/test,["echo",2]`);
    assert.equal(res.status, 200);
    assert.deepEqual(await pollPackets(srv.url, sid, 2), ['42/test,["echo",1]', '42/test,["echo",2]']);

    // Close packet: the session ends.
    res = await post(srv.url, sid, '1');
    assert.equal(res.status, 200);
    let after;
    for (let i = 0; i < 20; i++) {
      after = await httpRequest(eioUrl(srv.url, { EIO: '4', transport: 'polling', sid }), { timeoutMs: 2000 });
      if (after.status === 400) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assertEngineIoError(after, 400, 1, 'Session ID unknown');
  });

  it('unknown transport -> 400 code 0', { timeout: 10000 }, async () => {
    const res = await httpRequest(eioUrl(srv.url, { EIO: '4', transport: 'carrier-pigeon' }));
    assertEngineIoError(res, 400, 0, 'Transport unknown');
  });

  it('unknown session id -> 400 code 1 (GET and POST)', { timeout: 10000 }, async () => {
    const url = eioUrl(srv.url, { EIO: '4', transport: 'polling', sid: 'no-such-session' });
    assertEngineIoError(await httpRequest(url), 400, 1, 'Session ID unknown');
    assertEngineIoError(await httpRequest(url, { method: 'POST', body: '40' }), 400, 1, 'Session ID unknown');
  });

  it('handshake with POST -> 400 code 2', { timeout: 10000 }, async () => {
    const res = await httpRequest(eioUrl(srv.url, { EIO: '4', transport: 'polling' }), { method: 'POST', body: '40' });
    assertEngineIoError(res, 400, 2, 'Bad handshake method');
  });

  it('unsupported protocol version -> 400 code 5', { timeout: 10000 }, async () => {
    for (const EIO of ['3', '5']) {
      const res = await httpRequest(eioUrl(srv.url, { EIO, transport: 'polling' }));
      assertEngineIoError(res, 400, 5, 'Unsupported protocol version');
    }
  });

  it('no CORS headers unless --cors-origin is given', { timeout: 10000 }, async () => {
    const res = await httpRequest(eioUrl(srv.url, { EIO: '4', transport: 'polling' }), {
      headers: { Origin: 'http://somewhere.example' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });

  it('an unknown path -> 404', { timeout: 10000 }, async () => {
    const res = await httpRequest(`${srv.url}/definitely/not/here`);
    assert.equal(res.status, 404);
  });
});

describe('CORS with --cors-origin', () => {
  const allowed = ['http://allowed.example', 'https://other.example:8443'];
  let srv;
  before(async () => {
    srv = await startServer({ args: ['--test-namespaces', '--cors-origin', allowed.join(',')] });
  });
  after(async () => {
    await srv.stop();
  });

  it('an allowed origin gets Access-Control-Allow-Origin on the handshake', { timeout: 10000 }, async () => {
    for (const origin of allowed) {
      const res = await httpRequest(eioUrl(srv.url, { EIO: '4', transport: 'polling' }), { headers: { Origin: origin } });
      assert.equal(res.status, 200);
      assert.equal(res.headers['access-control-allow-origin'], origin);
      assert.equal(res.body[0], '0');
    }
  });

  it('preflight (OPTIONS) for an allowed origin', { timeout: 10000 }, async () => {
    const res = await httpRequest(eioUrl(srv.url, { EIO: '4', transport: 'polling' }), {
      method: 'OPTIONS',
      headers: {
        Origin: allowed[0],
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });
    assert.ok([200, 204].includes(res.status), `status ${res.status}`);
    assert.equal(res.headers['access-control-allow-origin'], allowed[0]);
    assert.match(String(res.headers['access-control-allow-methods']), /POST/i);
  });

  it('another origin is not allowed', { timeout: 10000 }, async () => {
    const origin = 'http://evil.example';
    const res = await httpRequest(eioUrl(srv.url, { EIO: '4', transport: 'polling' }), { headers: { Origin: origin } });
    assert.notEqual(res.headers['access-control-allow-origin'], origin);
    assert.notEqual(res.headers['access-control-allow-origin'], '*');
  });
});
