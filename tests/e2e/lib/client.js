'use strict';
// Helpers around the official socket.io-client.
//
// Every socket made here records the events it receives from the moment it is created (its
// "inbox"), because the server may emit right after the connection (e.g. `welcome`) in the same
// packet batch as the CONNECT: a listener added after `await connect()` would miss it.
// `waitFor` consumes the inbox in order; `once` waits for the next occurrence only.
const assert = require('node:assert/strict');
const { io, Manager } = require('socket.io-client');
const { sleep } = require('./util');

const DEFAULT_TIMEOUT_MS = 5000;
const INBOX_LIMIT = 10000;
const inboxes = new WeakMap();
const openSockets = new Set();

function inboxOf(socket) {
  let inbox = inboxes.get(socket);
  if (!inbox) {
    inbox = { entries: [], waiters: [] };
    inboxes.set(socket, inbox);
    socket.onAny((event, ...args) => deliver(inbox, event, args));
    openSockets.add(socket);
  }
  return inbox;
}

function deliver(inbox, event, args) {
  const i = inbox.waiters.findIndex((w) => w.event === event);
  if (i >= 0) {
    const [waiter] = inbox.waiters.splice(i, 1);
    waiter.resolve(args);
    return;
  }
  inbox.entries.push({ event, args });
  if (inbox.entries.length > INBOX_LIMIT) inbox.entries.shift();
}

// Resolves with the args of the first not-yet-consumed `event` this socket received (now or
// later), or rejects after timeoutMs listing what did arrive.
function waitFor(socket, event, timeoutMs = DEFAULT_TIMEOUT_MS) {
  const inbox = inboxOf(socket);
  const i = inbox.entries.findIndex((e) => e.event === event);
  if (i >= 0) return Promise.resolve(inbox.entries.splice(i, 1)[0].args);
  return new Promise((resolve, reject) => {
    const waiter = { event, resolve: null };
    const timer = setTimeout(() => {
      inbox.waiters.splice(inbox.waiters.indexOf(waiter), 1);
      const got = inbox.entries.map((e) => e.event).join(', ') || 'nothing';
      reject(new Error(`no "${event}" on ${socket.nsp} within ${timeoutMs} ms (unconsumed: ${got})`));
    }, timeoutMs);
    waiter.resolve = (args) => {
      clearTimeout(timer);
      resolve(args);
    };
    inbox.waiters.push(waiter);
  });
}

// Waits `ms`, then asserts that no (unconsumed) `event` arrived.
async function expectNoEvent(socket, event, ms = 300) {
  const inbox = inboxOf(socket);
  await sleep(ms);
  const got = inbox.entries.filter((e) => e.event === event);
  assert.equal(got.length, 0, `unexpected "${event}" on ${socket.nsp}: ${JSON.stringify(got.map((e) => e.args))}`);
}

// Next occurrence of `event` on any emitter (socket.io-client socket or Manager, engine, ws,
// Node EventEmitter); resolves with its arguments as an array.
function once(emitter, event, timeoutMs = DEFAULT_TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    const off = (emitter.off || emitter.removeListener).bind(emitter);
    const listener = (...args) => {
      clearTimeout(timer);
      resolve(args);
    };
    const timer = setTimeout(() => {
      off(event, listener);
      reject(new Error(`no "${event}" within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.once(event, listener);
  });
}

// Waits until an already created socket is connected; rejects with the connect_error (e.g. the
// server's middleware refusal: err.message, err.data) or on timeout.
function openSocket(socket, timeoutMs = DEFAULT_TIMEOUT_MS) {
  inboxOf(socket);
  return new Promise((resolve, reject) => {
    if (socket.connected) {
      resolve(socket);
      return;
    }
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
    };
    const onConnect = () => {
      cleanup();
      resolve(socket);
    };
    const onError = (err) => {
      cleanup();
      socket.close();
      reject(err);
    };
    const timer = setTimeout(() => {
      cleanup();
      socket.close();
      reject(new Error(`connecting ${socket.nsp} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
    if (!socket.active) socket.connect();
  });
}

// A connected socket on its own connection. Options go to io(); reconnection is off unless asked
// for, so a failing test does not keep reconnecting.
function connect(url, opts = {}) {
  const { connectTimeoutMs = DEFAULT_TIMEOUT_MS, ...ioOpts } = opts;
  const socket = io(url, { forceNew: true, reconnection: false, timeout: connectTimeoutMs, ...ioOpts });
  return openSocket(socket, connectTimeoutMs);
}

// A Manager (one Engine.IO connection) on which several namespaces can be opened with
// openSocket(manager.socket('/nsp')).
function manager(url, opts = {}) {
  return new Manager(url, { reconnection: false, timeout: DEFAULT_TIMEOUT_MS, ...opts });
}

// Emits with an ack request; resolves with the first ack argument.
function emitWithAck(socket, event, ...args) {
  return socket.timeout(DEFAULT_TIMEOUT_MS).emitWithAck(event, ...args);
}

// Emits with an ack request; resolves with all the ack arguments as an array.
function emitWithAckAll(socket, event, ...args) {
  return new Promise((resolve, reject) => {
    socket.timeout(DEFAULT_TIMEOUT_MS).emit(event, ...args, (err, ...reply) => {
      if (err) reject(err);
      else resolve(reply);
    });
  });
}

function closeAllSockets() {
  for (const socket of openSockets) {
    socket.io.reconnection(false);
    socket.close();
  }
  openSockets.clear();
}

// Buffer, ArrayBuffer or typed array -> Buffer (the client may hand binary back in any of them).
function toBuffer(value) {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError(`not binary: ${Object.prototype.toString.call(value)}`);
}

module.exports = {
  DEFAULT_TIMEOUT_MS,
  connect,
  openSocket,
  manager,
  once,
  waitFor,
  expectNoEvent,
  emitWithAck,
  emitWithAckAll,
  closeAllSockets,
  toBuffer,
};
