'use strict';
// /openapi.json is served, is OpenAPI 3.1, and matches what the server answers: every documented
// operation is routed (never 404 NOT_FOUND / 405), and paths or methods it does not document are.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT } = require('../lib/harness');
const { token, startRestServer, api } = require('./helpers');

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

// A concrete path for a template: {room_id} -> a room, {id} -> a message id.
function concrete(template) {
  return template.replace('{room_id}', 'b1.s1').replace('{id}', '01HF0000000000000000000000');
}

describe('OpenAPI document', () => {
  let srv;
  let doc;
  before(async () => {
    srv = await startRestServer(['--cors-origin', 'http://app.example']);
    const res = await api(srv, 'GET', '/openapi.json');
    assert.equal(res.status, 200);
    doc = res.body;
  });
  after(async () => {
    await srv.stop();
  });

  it('is the OpenAPI 3.1 document of the repository', { timeout: 10000 }, async () => {
    assert.equal(doc.openapi, '3.1.0');
    const file = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'openapi.json'), 'utf8'));
    assert.deepEqual(doc, file);
  });

  it('every documented operation is answered', { timeout: 20000 }, async () => {
    let operations = 0;
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const method of METHODS.filter((m) => item[m])) {
        operations++;
        const res = await api(srv, method.toUpperCase(), concrete(template), { token: token('b1') });
        assert.notEqual(res.status, 405, `${method} ${template}`);
        if (res.status === 404) assert.notEqual(res.body.error.code, 'NOT_FOUND', `${method} ${template} is not routed`);
        if (item[method].security && item[method].security.length) {
          const anonymous = await api(srv, method.toUpperCase(), concrete(template));
          assert.equal(anonymous.status, 401, `${method} ${template} without a token`);
        }
      }
    }
    assert.ok(operations >= 13);
  });

  it('what it does not document is not answered', { timeout: 20000 }, async () => {
    const documented = new Set();
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const method of METHODS.filter((m) => item[m])) documented.add(`${method} ${template}`);
    }
    const candidates = [...new Set(Object.keys(doc.paths).concat(['/v1/room', '/v1/rooms/b1.s1/archive', '/v1/users', '/v1/messages/x/y', '/v1']))];
    for (const template of candidates) {
      for (const method of METHODS) {
        if (documented.has(`${method} ${template}`)) continue;
        const res = await api(srv, method.toUpperCase(), concrete(template), { token: token('b1') });
        assert.ok([404, 405].includes(res.status), `${method} ${template} answered ${res.status}`);
      }
    }
  });

  it('OPTIONS preflight from an allowed origin (CORS as for the socket server)', { timeout: 10000 }, async () => {
    const res = await fetch(`${srv.url}/v1/rooms`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://app.example');
    assert.match(res.headers.get('access-control-allow-methods'), /POST/);
    assert.match(res.headers.get('access-control-allow-headers'), /Authorization/i);
    const evil = await fetch(`${srv.url}/v1/rooms`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const get = await api(srv, 'GET', '/v1/unread', { token: token('b1'), headers: { origin: 'http://app.example' } });
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('access-control-allow-origin'), 'http://app.example');
  });
});
