'use strict';
// One Socket.IO v5 client over Engine.IO v4, WebSocket transport only, spoken by hand on top of
// the `ws` package: one Engine.IO packet per WebSocket text frame, as browsers send. The same
// frames as cz-loadgen's sio_client.cpp:
//   GET /socket.io/?EIO=4&transport=websocket&token=..&user_id=..&user_role=..
//   <- 0{"sid":..}                       -> 40/messenger,{"token":..,"user_id":..,"user_role":..}
//   <- 40/messenger,{"sid":..}           (connected)
//   <- 2  -> 3                            (Engine.IO ping/pong)
//   -> 42/messenger,<ackid>["event",{..}]   <- 43/messenger,<ackid>[..]   <- 42/messenger,["event",{..}]
const WebSocket = require('ws');

const State = Object.freeze({ idle: 0, connecting: 1, connected: 2, failed: 3 });

// Engine.IO packet types (first character) and Socket.IO packet types (second, in a message).
const EIO_OPEN = '0';
const EIO_CLOSE = '1';
const EIO_PING = '2';
const EIO_MESSAGE = '4';
const SIO_CONNECT = '0';
const SIO_DISCONNECT = '1';
const SIO_EVENT = '2';
const SIO_ACK = '3';
const SIO_CONNECT_ERROR = '4';

// Splits a Socket.IO packet (after the Engine.IO '4'): { type, nsp, ackId, data } or null.
function parseSioPacket(text) {
  if (text.length === 0) return null;
  const type = text[0];
  let i = 1;
  let nsp = '/';
  if (text[i] === '/') {
    const comma = text.indexOf(',', i);
    if (comma < 0) {
      nsp = text.slice(i);
      i = text.length;
    } else {
      nsp = text.slice(i, comma);
      i = comma + 1;
    }
  }
  let ackId = null;
  const digitsStart = i;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (i > digitsStart) ackId = Number(text.slice(digitsStart, i));
  return { type, nsp, ackId, data: text.slice(i) };
}

class SioClient {
  // listener: { onConnected(client), onFailed(client, kind, detail), onEvent(client, name, arg),
  //             onAck(client, ackId, arg) }
  constructor(listener, index) {
    this.listener = listener;
    this.index = index;
    this.state = State.idle;
    this.ws = null;
    this.opened = false;
    this.nsp = '/messenger';
    this.prefix = ''; // "42/messenger," : what every event packet starts with
  }

  connect(target, credentials) {
    this.state = State.connecting;
    this.nsp = target.nsp;
    this.prefix = `${EIO_MESSAGE}${SIO_EVENT}${this.nsp === '/' ? '' : `${this.nsp},`}`;
    this.authJson = JSON.stringify({
      token: credentials.token,
      user_id: credentials.userId,
      user_role: credentials.role,
    });
    const q = new URLSearchParams({
      EIO: '4',
      transport: 'websocket',
      token: credentials.token,
      user_id: credentials.userId,
      user_role: credentials.role,
    });
    // No permessage-deflate (neither server enables it by default; cz-loadgen never offers it),
    // no UTF-8 validation of what the server sends (the generator's CPU goes to the load).
    this.ws = new WebSocket(`ws://${target.host}:${target.port}/socket.io/?${q}`, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: target.connectTimeoutMs,
    });
    this.ws.on('message', (data, isBinary) => {
      if (!isBinary) this.onText(data.toString());
    });
    this.ws.on('unexpected-response', (_req, res) => {
      this.fail('handshake', `HTTP ${res.statusCode}`);
    });
    this.ws.on('open', () => {
      this.opened = true; // the server speaks first: Engine.IO open packet
    });
    this.ws.on('error', (err) => {
      if (this.opened) return this.fail('protocol', err.message);
      this.fail(/timed out/.test(err.message) ? 'timeout' : /server response/.test(err.message) ? 'handshake' : 'tcp_connect', err.message);
    });
    this.ws.on('close', (code) => this.fail('closed', `websocket closed (${code})`));
  }

  // Sends one event with the given ack id (0: no ack wanted); jsonArg is already JSON text.
  emitWithAckId(event, jsonArg, ackId) {
    this.ws.send(`${this.prefix}${ackId || ''}["${event}",${jsonArg}]`);
  }

  onText(text) {
    if (text.length === 0) return;
    switch (text[0]) {
      case EIO_OPEN:
        if (this.state === State.connecting) {
          this.ws.send(`${EIO_MESSAGE}${SIO_CONNECT}${this.nsp === '/' ? '' : `${this.nsp},`}${this.authJson}`);
        }
        return;
      case EIO_PING:
        this.ws.send('3');
        return;
      case EIO_CLOSE:
        this.fail('closed', 'engine.io close');
        return;
      case EIO_MESSAGE:
        this.onSioPacket(text.slice(1));
        return;
      default:
        // pong, noop, upgrade: nothing to do on a websocket-only session
    }
  }

  onSioPacket(text) {
    const packet = parseSioPacket(text);
    if (!packet) return this.fail('protocol', 'bad socket.io packet');
    if (packet.nsp !== this.nsp) return; // another namespace: not ours
    switch (packet.type) {
      case SIO_CONNECT:
        if (this.state === State.connecting) {
          this.state = State.connected;
          this.listener.onConnected(this);
        }
        return;
      case SIO_CONNECT_ERROR:
        return this.fail('connect_error', packet.data);
      case SIO_DISCONNECT:
        return this.fail('closed', 'namespace disconnect');
      case SIO_EVENT: {
        const args = parseJson(packet.data);
        if (!Array.isArray(args) || typeof args[0] !== 'string') return this.fail('protocol', 'bad event payload');
        this.listener.onEvent(this, args[0], args.length > 1 ? args[1] : null);
        return;
      }
      case SIO_ACK: {
        const args = parseJson(packet.data);
        if (packet.ackId === null || !Array.isArray(args)) return this.fail('protocol', 'bad ack payload');
        this.listener.onAck(this, packet.ackId, args.length ? args[0] : null);
        return;
      }
      default:
        // binary packets: the messenger sends none
    }
  }

  fail(kind, detail) {
    if (this.state === State.failed) return;
    this.state = State.failed;
    if (this.ws) this.ws.terminate();
    this.listener.onFailed(this, kind, String(detail));
  }

  close() {
    this.state = State.failed;
    if (this.ws) this.ws.terminate();
  }
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

module.exports = { SioClient, State, parseSioPacket };
