'use strict';
// Shared by the REST tests: a server with a JWT secret, tokens, an HTTP client for the API and
// messenger sockets for the users.
const jwt = require('jsonwebtoken');
const { startServer, connect, emitWithAck } = require('../lib/harness');

const SECRET = 'rest-e2e-secret';

// An HS256 token for `sub` (with a role claim when `role` is given); `expiresInS` may be
// negative for an expired one.
function token(sub, role, { secret = SECRET, expiresInS = 3600 } = {}) {
  const claims = { sub, exp: Math.floor(Date.now() / 1000) + expiresInS };
  if (role) claims.role = role;
  return jwt.sign(claims, secret, { algorithm: 'HS256' });
}

function startRestServer(extraArgs = []) {
  return startServer({ args: ['--jwt-secret', SECRET, ...extraArgs], store: 'sqlite' });
}

// fetch() against the server: {status, headers, body (parsed JSON or text)}.
async function api(srv, method, path, { token: tok, body, raw, headers = {} } = {}) {
  const h = { ...headers };
  if (tok) h.authorization = `Bearer ${tok}`;
  let payload;
  if (raw !== undefined) payload = raw;
  else if (body !== undefined) {
    payload = JSON.stringify(body);
    if (!h['content-type']) h['content-type'] = 'application/json';
  }
  const res = await fetch(srv.url + path, { method, headers: h, body: payload });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, body: json === undefined ? text : json };
}

// A /messenger socket authenticated as `user` in `role`.
function messengerSocket(srv, user, role) {
  return connect(`${srv.url}/messenger`, {
    auth: { token: token(user, role), user_id: user, user_role: role },
    transports: ['websocket'],
  });
}

// Creates room buyer.seller over REST as the buyer.
async function createRoom(srv, buyer, seller, { shop = 'Shop', buyerName = 'Bob' } = {}) {
  const res = await api(srv, 'POST', '/v1/rooms', {
    token: token(buyer, 'BUYER'),
    body: { type: 'BS', buyer, seller, shop_id: `shop-${seller}`, shop: { name: shop }, buyer_info: { name: buyerName } },
  });
  if (res.status !== 200) throw new Error(`create room: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.room;
}

// Sends a message over the socket and returns the acked (stored) message.
async function sendMessage(socket, { room_id, from, to, content, type = 'TEXT', client_message_id }) {
  const reply = await emitWithAck(socket, 'new_message', { room_id, from, to, type, content, client_message_id });
  if (!reply || reply.error) throw new Error(`new_message refused: ${JSON.stringify(reply)}`);
  return reply;
}

module.exports = { SECRET, token, startRestServer, api, messengerSocket, createRoom, sendMessage };
