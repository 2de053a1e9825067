'use strict';
// Benchmark baseline: the CZ Messenger socket events (issue 3) on the seed's stack,
// Node.js + Express + Socket.IO 4.8, with an in-memory store. In-memory is the most
// favourable case for Node: no database round trip on the message path. The handlers do the
// same checks as ours (verified JWT, `from` must be the caller, participants, type, size,
// dedup by client_message_id) so that the comparison is like for like.

const http = require('node:http');
const express = require('express');
const jwt = require('jsonwebtoken');
const { Server } = require('socket.io');
const { parseOptions } = require('./options');
const { MemoryStore } = require('./memory_store');

const MESSAGE_TYPES = new Set(['TEXT', 'IMAGE', 'EMOJI']);
const ROLES = new Set(['BUYER', 'SELLER']);

function refusal(code, message) {
  return { error: { code, message } };
}

// Answers through the ack when the client asked for one, else with an `error` event.
function reply(socket, ack, payload) {
  if (typeof ack === 'function') ack(payload);
  else if (payload && payload.error) socket.emit('error', payload);
}

function verifyHandshake(opts, { token, user_id, user_role }) {
  if (typeof token !== 'string' || token === '') return 'missing token';
  if (typeof user_id !== 'string' || user_id === '') return 'missing user_id';
  if (!ROLES.has(user_role)) return 'bad user_role';
  let claims;
  try {
    claims = jwt.verify(token, opts.jwtSecret, { algorithms: ['HS256'], clockTolerance: 30 });
  } catch (err) {
    return err.message;
  }
  if (claims.sub !== user_id) return 'sub does not match user_id';
  if (claims.role !== undefined && claims.role !== user_role) return 'role does not match user_role';
  return null;
}

function handshakeCredentials(handshake) {
  const source = handshake.auth && handshake.auth.token ? handshake.auth : handshake.query;
  return { token: source.token, user_id: source.user_id, user_role: source.user_role };
}

function isNonEmptyString(v) {
  return typeof v === 'string' && v.length > 0;
}

// Checks {room_id, from, to} against the caller and the room; returns [room, null] or
// [null, refusal].
function checkConversation(store, socket, data) {
  if (!data || typeof data !== 'object') return [null, refusal('BAD_REQUEST', 'payload must be an object')];
  const { room_id, from, to } = data;
  if (!isNonEmptyString(room_id) || !isNonEmptyString(from) || !isNonEmptyString(to)) {
    return [null, refusal('BAD_REQUEST', 'room_id, from and to are required strings')];
  }
  if (from !== socket.data.userId) return [null, refusal('FORBIDDEN', '`from` is not the authenticated user')];
  const room = store.room(room_id);
  if (!room) return [null, refusal('ROOM_NOT_FOUND', 'unknown room')];
  const other = room.buyer === from ? room.seller : room.seller === from ? room.buyer : null;
  if (other === null) return [null, refusal('FORBIDDEN', 'not a participant of this room')];
  if (other !== to) return [null, refusal('BAD_REQUEST', '`to` is not the other participant')];
  return [room, null];
}

function attachMessenger(nsp, opts, store) {
  let delivered = 0;
  nsp.use((socket, next) => {
    const creds = handshakeCredentials(socket.handshake);
    const reason = verifyHandshake(opts, creds);
    if (reason) {
      const err = new Error('unauthorized');
      err.data = { reason };
      return next(err);
    }
    socket.data.userId = creds.user_id;
    socket.data.role = creds.user_role;
    next();
  });

  nsp.on('connection', (socket) => {
    socket.join(socket.data.userId);

    socket.on('verify_user', (data, ack) => {
      const ok = data && typeof data === 'object' && !verifyHandshake(opts, data) && data.user_id === socket.data.userId;
      socket.emit('verify_user', { status: ok });
      if (typeof ack === 'function') ack({ status: ok });
      if (!ok) socket.disconnect(true);
    });

    socket.on('create_room', (data, ack) => {
      if (!data || typeof data !== 'object') return reply(socket, ack, refusal('BAD_REQUEST', 'payload must be an object'));
      const { type, buyer, seller, shop_id, creator } = data;
      if (type !== 'BS' || !isNonEmptyString(buyer) || !isNonEmptyString(seller)) {
        return reply(socket, ack, refusal('BAD_REQUEST', 'type "BS", buyer and seller are required'));
      }
      if (buyer === seller) return reply(socket, ack, refusal('BAD_REQUEST', 'Buyer is the same to seller'));
      const me = socket.data.userId;
      if (me !== buyer && me !== seller) return reply(socket, ack, refusal('FORBIDDEN', 'caller is neither buyer nor seller'));
      const room = store.createRoom({ buyer, seller, shop_id, creator: creator || me, side: me === buyer ? 'buyer' : 'seller' });
      nsp.to(buyer).to(seller).emit('create_room', room);
      reply(socket, ack, { room });
    });

    socket.on('new_message', (data, ack) => {
      const [room, err] = checkConversation(store, socket, data);
      if (err) return reply(socket, ack, err);
      const { type, content, client_message_id } = data;
      if (!MESSAGE_TYPES.has(type)) return reply(socket, ack, refusal('BAD_REQUEST', 'type must be TEXT, IMAGE or EMOJI'));
      if (!isNonEmptyString(content)) return reply(socket, ack, refusal('BAD_REQUEST', 'content is required'));
      if (Buffer.byteLength(content) > opts.maxMessageSize) return reply(socket, ack, refusal('TOO_LARGE', 'content is too large'));
      if (client_message_id !== undefined && !isNonEmptyString(client_message_id)) {
        return reply(socket, ack, refusal('BAD_REQUEST', 'client_message_id must be a string'));
      }
      const { message, duplicate } = store.addMessage(room, data);
      if (!duplicate) {
        const drop = opts.dropEvery > 0 && ++delivered % opts.dropEvery === 0;
        nsp.to(message.from).to(drop ? [] : message.to).emit('new_message', message);
      }
      reply(socket, ack, message);
    });

    for (const event of ['typing', 'stop_typing']) {
      socket.on(event, (data, ack) => {
        const [, err] = checkConversation(store, socket, data);
        if (err) return reply(socket, ack, err);
        nsp.to(data.to).emit(event, { room_id: data.room_id, from: data.from, to: data.to });
        if (typeof ack === 'function') ack({ status: true });
      });
    }

    socket.on('seen_messages', (data, ack) => {
      const [room, err] = checkConversation(store, socket, data);
      if (err) return reply(socket, ack, err);
      const ids = data.message_ids;
      if (!Array.isArray(ids) || ids.length > 100 || !ids.every(isNonEmptyString)) {
        return reply(socket, ack, refusal('BAD_REQUEST', 'message_ids must be up to 100 strings'));
      }
      const seen = store.markSeen(room, socket.data.userId, ids);
      nsp.to(data.to).emit('seen_messages', { room_id: data.room_id, from: data.from, to: data.to, message_ids: seen });
      if (typeof ack === 'function') ack({ status: true, message_ids: seen });
    });
  });
}

function main() {
  const opts = parseOptions(process.argv.slice(2), process.env);
  const store = new MemoryStore();
  const app = express();
  app.get('/health', (_req, res) => res.json({ status: 'ok' }));
  const server = http.createServer(app);
  const io = new Server(server, {
    pingInterval: opts.pingInterval,
    pingTimeout: opts.pingTimeout,
    maxHttpBufferSize: opts.maxPayload,
  });
  attachMessenger(io.of('/messenger'), opts, store);

  server.listen(opts.port, opts.host, () => {
    const { address, port } = server.address();
    console.log(`listening on http://${address}:${port}`);
  });
  const stop = () => {
    io.close();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
