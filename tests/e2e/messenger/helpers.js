'use strict';
// Shared by the /messenger e2e tests: a server with SQLite and an HS256 secret, users connected
// with tokens minted by jsonwebtoken (as a marketplace backend would), and small assertions.
const { before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const jwt = require('jsonwebtoken');
const { startServer, connect, emitWithAck, closeAllSockets } = require('../lib/harness');

const SECRET = 'e2e-messenger-secret';

function startMessenger(extraArgs = [], options = {}) {
  return startServer({ store: 'sqlite', args: ['--jwt-secret', SECRET, ...extraArgs], ...options });
}

function token(userId, claims = {}, options = {}) {
  const signOptions = { algorithm: options.algorithm || 'HS256' };
  if (claims.exp === undefined) signOptions.expiresIn = options.expiresIn || '1h';
  return jwt.sign({ sub: userId, ...claims }, options.key || SECRET, signOptions);
}

// An unsigned token ("alg":"none"), built by hand.
function unsignedToken(userId) {
  const part = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: userId, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
}

// A connected /messenger socket of `userId`. `via: 'query'` puts the credentials in the query
// string as the original's clients do; the default uses the handshake auth payload.
function user(srv, userId, role = 'BUYER', { via = 'auth', tokenValue, ...opts } = {}) {
  const credentials = { token: tokenValue || token(userId), user_id: userId, user_role: role };
  const where = via === 'query' ? { query: credentials } : { auth: credentials };
  return connect(`${srv.url}/messenger`, { ...where, ...opts });
}

// Resolves with the connect_error the server answered with.
async function refusedConnect(srv, credentials, where = 'auth') {
  try {
    const socket = await connect(`${srv.url}/messenger`, { [where]: credentials });
    socket.close();
  } catch (err) {
    return err;
  }
  throw new Error('the connection was accepted');
}

function messagePayload(from, to, content, extra = {}) {
  const roomId = extra.room_id || roomOf(from, to);
  return { room_id: roomId, from, to, type: 'TEXT', content, ...extra };
}

// Tests name buyers b* and sellers s*; the room id is "<buyer>.<seller>".
function roomOf(a, b) {
  return a.startsWith('b') ? `${a}.${b}` : `${b}.${a}`;
}

async function createRoom(socket, buyer, seller) {
  const reply = await emitWithAck(socket, 'create_room', { type: 'BS', buyer, seller, shop_id: 'shop-1' });
  assert.equal(reply.error, undefined, JSON.stringify(reply.error));
  return reply.room;
}

async function send(socket, from, to, content, extra = {}) {
  const reply = await emitWithAck(socket, 'new_message', messagePayload(from, to, content, extra));
  assert.equal(reply.error, undefined, JSON.stringify(reply.error));
  return reply;
}

// The error ack of an event that must be refused.
async function refused(socket, event, payload, code) {
  const reply = payload === undefined ? await emitWithAck(socket, event) : await emitWithAck(socket, event, payload);
  assert.ok(reply && reply.error, `${event} was not refused: ${JSON.stringify(reply)}`);
  assert.equal(reply.error.code, code, `${event}: ${JSON.stringify(reply.error)}`);
  assert.equal(typeof reply.error.message, 'string');
  assert.ok(reply.error.message.length > 0);
  return reply.error;
}

// Pages through `sync` from `since` (a message id or a time) until has_more is false, asserting
// that no page is refused. Returns the messages, oldest first, and the last cursor (`since`
// itself when every page was empty).
const SYNC_FROM_START = '1970-01-01T00:00:00.000Z';
async function syncPages(socket, since = SYNC_FROM_START, { limit = 100, maxPages = 1000 } = {}) {
  const messages = [];
  let cursor = since;
  for (let page = 0; page < maxPages; page++) {
    const reply = await emitWithAck(socket, 'sync', { since: cursor, limit });
    assert.equal(reply.error, undefined, JSON.stringify(reply.error));
    messages.push(...reply.messages);
    if (reply.next_since) cursor = reply.next_since;
    if (!reply.has_more) return { messages, cursor };
  }
  throw new Error(`sync did not end within ${maxPages} pages`);
}

// One server for the enclosing describe(), handed to `onStarted`; every socket is closed after
// each test and the server is stopped (asserting a clean exit) at the end.
function useMessenger(onStarted, extraArgs = [], options = {}) {
  let srv;
  before(async () => {
    srv = await startMessenger(extraArgs, options);
    onStarted(srv);
  });
  after(async () => {
    closeAllSockets();
    if (srv) await srv.stop();
  });
  afterEach(() => closeAllSockets());
}

module.exports = {
  SECRET,
  startMessenger,
  useMessenger,
  token,
  unsignedToken,
  user,
  refusedConnect,
  messagePayload,
  roomOf,
  createRoom,
    send,
  refused,
  syncPages,
  SYNC_FROM_START,
};
