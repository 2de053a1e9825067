'use strict';
// The web client as the server serves it: web/public at /, the socket.io-client bundle from
// web/node_modules at /vendor/socket.io/, content types, revalidation, and no file outside those
// directories whatever the path says.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startServer, httpRequest, REPO_ROOT } = require('../lib/harness');

// One request written byte for byte, so that no client library normalizes the path first.
function rawGet(srv, target) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(srv.port, srv.host);
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => (text += chunk));
    socket.on('end', () => {
      const status = Number(text.slice(9, 12));
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error(`GET ${target} timed out`)));
    socket.write(`GET ${target} HTTP/1.1\r\nHost: ${srv.host}\r\nConnection: close\r\n\r\n`);
  });
}

describe('web client files', () => {
  let srv;
  before(async () => {
    srv = await startServer({ store: 'sqlite' });
  });
  after(async () => {
    if (srv) await srv.stop();
  });

  it('/ is the page, with its type, a CSP and revalidation headers', { timeout: 10000 }, async () => {
    const res = await httpRequest(`${srv.url}/`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(res.headers['cache-control'], 'no-cache');
    assert.match(res.headers.etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
    assert.match(res.headers['content-security-policy'], /default-src 'self'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.body, fs.readFileSync(path.join(REPO_ROOT, 'web/public/index.html'), 'utf8'));
    assert.match(res.body, /<script type="module" src="js\/main.js">/);
  });

  it('modules, styles, images and the socket.io-client bundle have their types', { timeout: 10000 }, async () => {
    const expected = {
      '/js/main.js': 'text/javascript; charset=utf-8',
      '/style.css': 'text/css; charset=utf-8',
      '/assets/logo.svg': 'image/svg+xml',
      '/vendor/socket.io/socket.io.esm.min.js': 'text/javascript; charset=utf-8',
      '/vendor/socket.io/socket.io.esm.min.js.map': 'application/json',
    };
    for (const [target, type] of Object.entries(expected)) {
      const res = await httpRequest(`${srv.url}${target}`);
      assert.equal(res.status, 200, target);
      assert.equal(res.headers['content-type'], type, target);
      assert.equal(res.headers['content-security-policy'], undefined, target);
    }
    const bundle = await httpRequest(`${srv.url}/vendor/socket.io/socket.io.esm.min.js`);
    const onDisk = path.join(REPO_ROOT, 'web/node_modules/socket.io-client/dist/socket.io.esm.min.js');
    assert.equal(bundle.body, fs.readFileSync(onDisk, 'utf8'));
  });

  it('a matching If-None-Match is a 304; HEAD has the length and no body', { timeout: 10000 }, async () => {
    const first = await httpRequest(`${srv.url}/js/chat.js`);
    const again = await httpRequest(`${srv.url}/js/chat.js`, { headers: { 'if-none-match': first.headers.etag } });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, first.headers.etag);
    const head = await httpRequest(`${srv.url}/js/chat.js`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers['content-length']), Buffer.byteLength(first.body));
    assert.equal(head.body, '');
  });

  it('unknown files are 404 (JSON, as every unknown path); other methods on a file are 405', { timeout: 10000 }, async () => {
    for (const target of ['/nothing.js', '/js/', '/js', '/vendor/socket.io/nothing.js', '/index.htm']) {
      const res = await httpRequest(`${srv.url}${target}`);
      assert.equal(res.status, 404, target);
      assert.equal(JSON.parse(res.body).code, 'NOT_FOUND', target);
    }
    const post = await httpRequest(`${srv.url}/index.html`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });

  it('no path reaches a file outside web/public or the bundle directory', { timeout: 20000 }, async () => {
    const targets = [
      '/../src/main.cpp',
      '/../../etc/passwd',
      '/js/../../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E%2Fpackage.json',
      '/..%2f..%2fsrc%2fmain.cpp',
      '/js/..%2f..%2fpackage.json',
      '/vendor/socket.io/../package.json',
      '/vendor/socket.io/%2e%2e/package.json',
      '/vendor/socket.io/..%2f..%2f..%2fpackage.json',
      '//etc/passwd',
      '/%2fetc%2fpasswd',
      '/..\\package.json',
      '/js/%00main.js',
      '/.gitignore',
      '/js/.%2e/index.html',
    ];
    for (const target of targets) {
      const res = await rawGet(srv, target);
      // 400 when the HTTP parser refuses the target itself, else 404: never a file.
      assert.ok([400, 404].includes(res.status), `${target} answered ${res.status}`);
      assert.doesNotMatch(res.body, /"name"|#include|root:/, target);
    }
    // Sanity check of the raw client: an ordinary path through it is served.
    assert.equal((await rawGet(srv, '/js/main.js')).status, 200);
  });
});

describe('--web-root', () => {
  it("'none' serves no page; the rest of the server is unchanged", { timeout: 15000 }, async () => {
    const srv = await startServer({ store: 'sqlite', args: ['--web-root', 'none'] });
    try {
      assert.equal((await httpRequest(`${srv.url}/`)).status, 404);
      assert.equal((await httpRequest(`${srv.url}/healthz`)).status, 200);
    } finally {
      await srv.stop();
    }
  });

  it('an explicit directory is served from wherever it is', { timeout: 15000 }, async () => {
    const srv = await startServer({ store: 'sqlite', args: ['--web-root', path.join(REPO_ROOT, 'web')] });
    try {
      const res = await httpRequest(`${srv.url}/`);
      assert.equal(res.status, 200);
      assert.match(res.body, /CZ Messenger/);
    } finally {
      await srv.stop();
    }
  });

  it('a directory without a web client refuses to start, saying why', { timeout: 15000 }, () => {
    const binary = process.env.CZ_BINARY || path.join(REPO_ROOT, 'build', 'cz-messenger');
    const run = spawnSync(binary, ['--port', '0', '--store', 'memory', '--web-root', '/nonexistent/web'], {
      encoding: 'utf8',
      timeout: 10000,
    });
    assert.equal(run.status, 1, run.stderr + run.stdout);
    assert.match(run.stderr + run.stdout, /--web-root \/nonexistent\/web: no public\/index.html there/);
  });
});
