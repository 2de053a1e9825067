#!/usr/bin/env node
'use strict';
// The test namespaces (/, /test, /test2) on the Node.js Socket.IO server, with the same flags as
// cz-messenger-test-server (tests/test_server/). It exists to check the e2e tests themselves: the
// protocol suite must pass against real Socket.IO before its failures against our server mean
// anything.
//   CZ_TEST_BINARY=tests/e2e/reference/server.js node --test tests/e2e/core/
// (Node's engine.io has no /healthz, unknown-path 404 or SIGINT handling of its own: those are
// added here the way cz-messenger does them.)
const http = require('node:http');
const { Server } = require('socket.io');

function parseArgs(argv) {
  const opts = { host: '127.0.0.1', port: 3000, pingInterval: 25000, pingTimeout: 20000, maxPayload: 1e6, cors: [] };
  const numbers = { '--port': 'port', '--ping-interval': 'pingInterval', '--ping-timeout': 'pingTimeout', '--max-payload': 'maxPayload' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--host') opts.host = value();
    else if (numbers[flag]) opts[numbers[flag]] = Number(value());
    else if (flag === '--cors-origin') opts.cors.push(...value().split(','));
    else if (flag === '--test-namespaces') opts.testNamespaces = true;
    else if (['--store', '--threads', '--log-level', '--jwt-secret', '--redis'].includes(flag)) value();
    else {
      console.error(`reference server: unknown flag ${flag}`);
      process.exit(2);
    }
  }
  return opts;
}

function attachTestNamespace(nsp) {
  nsp.use((socket, next) => {
    const reason = socket.handshake.auth.refuse || socket.handshake.query.refuse;
    if (!reason) return next();
    const err = new Error('refused');
    err.data = { reason };
    next(err);
  });
  nsp.on('connection', (socket) => {
    const { query, auth } = socket.handshake;
    socket.emit('welcome', {
      id: socket.id,
      nsp: nsp.name,
      query,
      auth: auth && Object.keys(auth).length ? auth : null,
    });
    socket.on('echo', (...args) => {
      const ack = typeof args[args.length - 1] === 'function' ? args.pop() : null;
      if (ack) ack(...args);
      else socket.emit('echo', ...args);
    });
    socket.on('join', (room, ack) => {
      socket.join(room);
      if (typeof ack === 'function') ack('ok');
    });
    socket.on('leave', (room, ack) => {
      socket.leave(room);
      if (typeof ack === 'function') ack('ok');
    });
    socket.on('broadcast', ({ room, event, args = [], include_self: includeSelf } = {}, ack) => {
      let target = includeSelf ? nsp : socket.broadcast;
      if (room) target = target.to(room);
      target.emit(event, ...args);
      if (typeof ack === 'function') ack('ok');
    });
    socket.on('ask', ({ event, args = [], timeout_ms: timeoutMs }) => {
      socket.timeout(timeoutMs).emit(event, ...args, (err, ...reply) => {
        socket.emit('ask_result', { timed_out: Boolean(err), reply: err ? [] : reply });
      });
    });
    socket.on('disconnect_me', () => socket.disconnect());
    socket.on('close_me', () => socket.conn.close());
  });
}

const opts = parseArgs(process.argv.slice(2));
const httpServer = http.createServer();
const io = new Server(httpServer, {
  pingInterval: opts.pingInterval,
  pingTimeout: opts.pingTimeout,
  maxHttpBufferSize: opts.maxPayload,
  cors: opts.cors.length ? { origin: opts.cors.includes('*') ? '*' : opts.cors } : undefined,
});
// Requests Socket.IO does not take: health check, else 404.
httpServer.on('request', (req, res) => {
  if (req.url.startsWith('/socket.io/')) return;
  if (req.url === '/healthz') {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    return;
  }
  res.writeHead(404).end();
});
if (opts.testNamespaces) for (const name of ['/', '/test', '/test2']) attachTestNamespace(io.of(name));

httpServer.listen(opts.port, opts.host, () => {
  console.log(`reference server: listening on http://${opts.host}:${httpServer.address().port}`);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    io.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
