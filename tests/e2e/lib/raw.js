'use strict';
// Raw HTTP and WebSocket access, for checks below the official client (Engine.IO error replies,
// CORS headers, heartbeats by hand).
const http = require('node:http');
const WebSocket = require('ws');

const EIO_PATH = '/socket.io/';

// One HTTP request; resolves with {status, headers, body} (body as a string). No agent reuse, so
// that every request is independent.
function httpRequest(url, { method = 'GET', headers = {}, body, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: false, timeout: timeoutMs }, (res) => {
      res.setEncoding('utf8');
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

// The Engine.IO URL for `query` ({EIO: '4', transport: 'polling', ...}).
function eioUrl(base, query) {
  const url = new URL(EIO_PATH, base);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return url.toString();
}

// Engine.IO v4 polling handshake; resolves with the parsed open packet ({sid, upgrades, ...}).
async function pollingHandshake(base) {
  const res = await httpRequest(eioUrl(base, { EIO: '4', transport: 'polling' }));
  if (res.status !== 200 || !res.body.startsWith('0')) {
    throw new Error(`bad handshake reply ${res.status}: ${res.body}`);
  }
  return JSON.parse(res.body.slice(1));
}

const RECORD_SEPARATOR = '\x1e';

// A raw Engine.IO WebSocket client: every received frame is queued; `next()` takes the next one.
class RawWebSocket {
  constructor(url, options = {}) {
    this.ws = new WebSocket(url, options);
    this.frames = [];
    this.waiters = [];
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closedAt = Date.now();
        resolve({ code, reason: reason.toString() });
      });
    });
    this.ws.on('error', (err) => (this.error = err));
    this.ws.on('message', (data, isBinary) => {
      const frame = isBinary ? data : data.toString();
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.frames.push(frame);
    });
  }

  opened(timeoutMs = 5000) {
    if (this.ws.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err) => {
        clearTimeout(timer);
        this.ws.off('open', onOpen);
        this.ws.off('error', done);
        if (err) reject(err);
        else resolve();
      };
      const onOpen = () => done();
      const timer = setTimeout(() => done(new Error(`WebSocket not open within ${timeoutMs} ms`)), timeoutMs);
      this.ws.on('open', onOpen);
      this.ws.on('error', done);
    });
  }

  next(timeoutMs = 5000) {
    if (this.frames.length) return Promise.resolve(this.frames.shift());
    return new Promise((resolve, reject) => {
      const waiter = (frame) => {
        clearTimeout(timer);
        resolve(frame);
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no WebSocket frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  send(data) {
    this.ws.send(data);
  }

  close() {
    this.ws.terminate();
  }
}

// Opens a WebSocket-only Engine.IO session (no polling first) and reads the open packet.
async function rawEngineIoWebSocket(base, query = {}) {
  const url = eioUrl(base.replace(/^http/, 'ws'), { EIO: '4', transport: 'websocket', ...query });
  const raw = new RawWebSocket(url);
  await raw.opened();
  const first = await raw.next();
  if (typeof first !== 'string' || first[0] !== '0') throw new Error(`expected an open packet, got ${first}`);
  raw.openPacket = JSON.parse(first.slice(1));
  raw.openedAt = Date.now();
  return raw;
}

module.exports = {
  EIO_PATH,
  RECORD_SEPARATOR,
  httpRequest,
  eioUrl,
  pollingHandshake,
  RawWebSocket,
  rawEngineIoWebSocket,
};
