'use strict';
// The mixed load of bench/soak.sh, with the official socket.io-client: pairs of users, each
// side on WebSocket or long-polling, that create their room, send messages with acks, type,
// stop typing, mark messages seen, sync, ask for each other's status; and churn: clients that
// disconnect cleanly, clients whose connection is dropped abruptly (the TCP socket destroyed
// under them), and reconnects. Runs until SIGTERM or --seconds, then prints one JSON line of
// counts on stdout. It never asserts timings; the soak's verdict is about the server's RSS, fds
// and threads (soak.sh), and about this load having been served (acked messages, no errors).
//
//   node load.js --port P --secret S [--pairs 40] [--seconds 300] [--rate 20]
//     --rate  messages per second in total (spread over the pairs)
const path = require('node:path');
const crypto = require('node:crypto');

const modules = path.join(__dirname, '..', '..', 'tests', 'e2e', 'node_modules');
const { io } = require(path.join(modules, 'socket.io-client'));

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const port = Number(option('port'));
const secret = option('secret');
const pairs = Number(option('pairs', '40'));
const seconds = Number(option('seconds', '300'));
const rate = Number(option('rate', '20'));
if (!port || !secret) {
  console.error('usage: node load.js --port P --secret S [--pairs N] [--seconds N] [--rate N]');
  process.exit(2);
}

const counts = {
  connects: 0, connect_errors: 0, disconnects: 0, drops: 0, messages_sent: 0, messages_acked: 0,
  messages_refused: 0, deliveries: 0, typing: 0, seen: 0, syncs: 0, status_queries: 0,
  ack_timeouts: 0, refusal_codes: {},
};

function b64url(data) {
  return Buffer.from(data).toString('base64url');
}
function token(userId, role) {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const now = Math.floor(Date.now() / 1000);
  const payload = b64url(JSON.stringify({ sub: userId, role, iat: now, exp: now + 24 * 3600 }));
  const mac = crypto.createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  return `${header}.${payload}.${b64url(mac)}`;
}

const run = Date.now().toString(36);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const pick = (list) => list[Math.floor(Math.random() * list.length)];
let stopping = false;

function connect(userId, role, transports) {
  const socket = io(`http://127.0.0.1:${port}/messenger`, {
    transports,
    auth: { token: token(userId, role), user_id: userId, user_role: role },
    reconnection: false,
    forceNew: true,
    timeout: 10000,
  });
  return new Promise((resolve) => {
    socket.once('connect', () => {
      counts.connects++;
      resolve(socket);
    });
    socket.once('connect_error', () => {
      counts.connect_errors++;
      socket.close();
      resolve(null);
    });
  });
}

// An emit with an ack that gives up after 10 s (counted, never thrown).
function call(socket, event, payload) {
  return new Promise((resolve) => {
    socket.timeout(10000).emit(event, payload, (err, reply) => {
      if (err) {
        counts.ack_timeouts++;
        return resolve(null);
      }
      if (reply && reply.error) {
        counts.refusal_codes[reply.error.code] = (counts.refusal_codes[reply.error.code] || 0) + 1;
        return resolve(null);
      }
      resolve(reply);
    });
  });
}

// Ends a connection the way a client that goes away does: cleanly, or by losing its TCP
// connection without a close (the server finds out from the socket, or from the ping timeout).
function leave(socket) {
  if (!socket) return;
  if (Math.random() < 0.5) {
    counts.disconnects++;
    socket.disconnect();
    return;
  }
  counts.drops++;
  const engine = socket.io.engine;
  const transport = engine && engine.transport;
  const raw = transport && transport.ws && transport.ws._socket;
  if (raw) {
    raw.destroy();
  } else {
    // Polling: abandon the session without a close packet; the server times it out.
    engine.removeAllListeners();
    transport.pause(() => {});
  }
  socket.io.removeAllListeners();
  socket.removeAllListeners();
}

// One conversation, for as long as the run lasts: both sides connect (each on a random
// transport), talk for a while, and leave; then again, as other users each time or not.
async function conversation(index) {
  const perPairInterval = (1000 * pairs) / Math.max(rate, 0.001);
  let round = 0;
  while (!stopping) {
    const buyerId = `b${index}-${run}`;
    const sellerId = `s${index}-${run}-${round % 3}`;  // a few rooms per buyer over the run
    round++;
    const buyer = await connect(buyerId, 'BUYER', [pick(['websocket', 'polling'])]);
    const seller = await connect(sellerId, 'SELLER', [pick(['websocket', 'polling'])]);
    if (!buyer || !seller) {
      leave(buyer);
      leave(seller);
      await sleep(1000);
      continue;
    }
    seller.on('new_message', () => counts.deliveries++);
    const room = await call(buyer, 'create_room', { type: 'BS', buyer: buyerId, seller: sellerId });
    const roomId = room && room.room && room.room._id;
    const talks = 5 + Math.floor(Math.random() * 20);
    for (let i = 0; i < talks && roomId && !stopping; i++) {
      await sleep(perPairInterval * (0.5 + Math.random()));
      buyer.emit('typing', { room_id: roomId, from: buyerId, to: sellerId });
      counts.typing++;
      counts.messages_sent++;
      const sent = await call(buyer, 'new_message', {
        room_id: roomId, from: buyerId, to: sellerId, type: 'TEXT',
        content: `soak ${i} ✓ ${'x'.repeat(Math.floor(Math.random() * 200))}`,
        client_message_id: `c${index}-${round}-${i}`,
      });
      buyer.emit('stop_typing', { room_id: roomId, from: buyerId, to: sellerId });
      if (sent) counts.messages_acked++;
      else counts.messages_refused++;
      if (sent && Math.random() < 0.5) {
        await call(seller, 'seen_messages', { room_id: roomId, from: sellerId, to: buyerId,
                                              message_ids: [sent._id] });
        counts.seen++;
      }
      if (Math.random() < 0.1) {
        await call(seller, 'sync', { limit: 50 });
        counts.syncs++;
      }
      if (Math.random() < 0.1) {
        await call(buyer, 'get_user_status', { user_ids: [sellerId] });
        counts.status_queries++;
      }
    }
    leave(buyer);
    leave(seller);
    await sleep(200 + Math.random() * 800);
  }
}

async function main() {
  const done = Promise.all(Array.from({ length: pairs }, (_, i) => conversation(i)));
  const stop = () => {
    stopping = true;
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const timer = setTimeout(stop, seconds * 1000);
  await done;
  clearTimeout(timer);
  console.log(JSON.stringify(counts));
  // Abandoned polling sessions hold timers of the client: exit without waiting for them.
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
