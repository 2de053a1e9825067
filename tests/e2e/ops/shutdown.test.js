'use strict';
// SIGTERM under load: the server stops accepting, closes every Engine.IO session cleanly (close
// packet / WebSocket close), commits what is queued and exits within --shutdown-timeout. Every
// message a client saw acknowledged is in the store after the restart, no client saw a broken
// frame, and the clients reconnect by themselves.
const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { closeAllSockets } = require('../lib/harness');
const { startMessenger, user, createRoom, syncPages } = require('../messenger/helpers');
const { waitUntil } = require('./helpers');

const PAIRS = 4;
const SHUTDOWN_TIMEOUT_MS = 4000;
// Process teardown and scheduling on a busy 2-core machine, on top of the timeout.
const EXIT_SLACK_MS = 1500;

// Every message of `socket`'s user, through `sync` pages.
async function storedMessages(socket) {
  return (await syncPages(socket)).messages;
}

// A buyer that sends messages one after the other (each waits for its ack) while connected.
function startSending(socket, buyer, seller) {
  const acked = [];
  let running = true;
  socket.on('disconnect', () => {
    running = false;
  });
  const done = (async () => {
    for (let n = 0; running && socket.connected; n++) {
      const id = `${buyer}-${n}`;
      try {
        const reply = await socket.timeout(3000).emitWithAck('new_message', {
          room_id: `${buyer}.${seller}`, from: buyer, to: seller, type: 'TEXT', content: `m ${id}`,
          client_message_id: id,
        });
        if (reply && !reply.error) acked.push(reply);
      } catch {
        // no ack (the server went away first): the message may or may not be stored
      }
    }
  })();
  return { acked, done };
}

describe('graceful shutdown', () => {
  let srv;
  after(async () => {
    closeAllSockets();
    if (srv) await srv.stop();
  });

  it('SIGTERM under load: acked messages are stored, sessions close cleanly, clients reconnect', { timeout: 90000 }, async (t) => {
    srv = await startMessenger(['--shutdown-timeout', `${SHUTDOWN_TIMEOUT_MS}ms`]);
    const reconnecting = { reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 500 };
    const sockets = [];
    const closes = [];  // [who, reason, description] of every disconnect
    const pairs = [];
    for (let i = 0; i < PAIRS; i++) {
      // Half the pairs on WebSocket, half on long-polling.
      const transports = i % 2 === 0 ? ['websocket'] : ['polling'];
      const buyer = await user(srv, `b${i}`, 'BUYER', { transports, ...reconnecting });
      const seller = await user(srv, `s${i}`, 'SELLER', { transports, ...reconnecting });
      for (const [who, socket] of [[`b${i}`, buyer], [`s${i}`, seller]]) {
        socket.on('disconnect', (reason, description) =>
          closes.push([who, reason, description && (description.message || description.description)]));
        sockets.push(socket);
      }
      await createRoom(buyer, `b${i}`, `s${i}`);
      pairs.push({ buyer, name: `b${i}`, seller: `s${i}` });
    }

    const senders = pairs.map((p) => startSending(p.buyer, p.name, p.seller));
    const ackedCount = () => senders.reduce((n, s) => n + s.acked.length, 0);
    await waitUntil(() => ackedCount() >= 40 * PAIRS, 'the load did not get going', 30000, 20);

    const signalled = Date.now();
    await srv.terminate({ timeoutMs: SHUTDOWN_TIMEOUT_MS + EXIT_SLACK_MS });
    const exitedAfter = Date.now() - signalled;
    await Promise.all(senders.map((s) => s.done));
    const acked = senders.flatMap((s) => s.acked);
    assert.ok(exitedAfter < SHUTDOWN_TIMEOUT_MS + EXIT_SLACK_MS, `exited after ${exitedAfter} ms`);
    assert.match(srv.output(), /shutdown: signal 15/);

    // Each socket was closed once, by the server, cleanly: a close packet (polling) or a
    // WebSocket close frame. A broken frame would read "parse error", a cut connection
    // "transport error", a server that went silent "ping timeout".
    await waitUntil(() => closes.length >= sockets.length, 'not every client saw the close', 10000);
    for (const [who, reason, description] of closes)
      assert.equal(reason, 'transport close', `${who}: ${reason} (${description})`);

    await srv.spawnOnce();  // the same port and data
    await waitUntil(() => sockets.every((s) => s.connected),
      'the clients did not reconnect to the restarted server', 20000);

    const stored = new Map();
    for (const p of pairs) for (const m of await storedMessages(p.buyer)) stored.set(m._id, m);
    for (const m of acked) {
      const found = stored.get(m._id);
      assert.ok(found, `acknowledged message ${m._id} (${m.content}) is not in the store`);
      assert.equal(found.content, m.content);
    }
    // A client id is stored once, acked or not.
    const contents = [...stored.values()].map((m) => m.content);
    assert.equal(new Set(contents).size, contents.length);
    assert.ok(stored.size >= acked.length);
    t.diagnostic(`${acked.length} acked, ${stored.size} stored, exit ${exitedAfter} ms after SIGTERM`);
  });
});
