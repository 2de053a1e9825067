// The /messenger Socket.IO connection: credentials in the handshake `auth`, acks with a timeout,
// refusals ({error: {code, message}}) thrown as ServerError, and the connection's state for the
// reconnect banner. socket.io-client reconnects by itself after a dropped transport; after a
// server-side disconnect (a restarting server closing its sessions) it does not, so we do.
import { io } from '/vendor/socket.io/socket.io.esm.min.js';
import { ServerError } from './api.js';

const ACK_TIMEOUT_MS = 15000;
const RECONNECT_AFTER_SERVER_DISCONNECT_MS = 1000;

export class Connection {
  // handlers: {onState(state, detail), onRefused(error), on: {event: handler}}
  constructor(session, handlers) {
    this.session = session;
    this.handlers = handlers;
    this.ended = false;
    this.everConnected = false;
    this.socket = io('/messenger', {
      auth: { token: session.token, user_id: session.userId, user_role: session.role },
      reconnectionDelay: 500,
      reconnectionDelayMax: 3000,
    });
    this.wire();
  }

  wire() {
    const { socket } = this;
    socket.on('connect', () => {
      const reconnected = this.everConnected;
      this.everConnected = true;
      this.handlers.onState('connected', { reconnected });
    });
    socket.on('disconnect', (reason) => {
      if (this.ended) return;
      this.handlers.onState('disconnected', { reason });
      if (reason === 'io server disconnect') {
        setTimeout(() => {
          if (!this.ended && !socket.connected) socket.connect();
        }, RECONNECT_AFTER_SERVER_DISCONNECT_MS);
      }
    });
    socket.on('connect_error', (err) => {
      if (this.ended) return;
      // A refusal by the server's handshake (CONNECT_ERROR): not retried by the client.
      if (err && err.data && err.data.reason !== undefined) {
        this.handlers.onRefused(new ServerError(err.message.toUpperCase().replace(/ /g, '_'), err.data.reason, 'connect'));
        return;
      }
      this.handlers.onState('disconnected', { reason: err ? err.message : 'connect error' });
    });
    socket.io.on('reconnect_attempt', (attempt) => {
      if (!this.ended) this.handlers.onState('reconnecting', { attempt });
    });
    for (const [event, handler] of Object.entries(this.handlers.on)) socket.on(event, handler);
  }

  get connected() {
    return this.socket.connected;
  }

  // Emits with an ack; resolves with the ack's body, rejects with ServerError on a refusal or
  // a timeout.
  request(event, payload) {
    return new Promise((resolve, reject) => {
      this.socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err, reply) => {
        if (err) return reject(new ServerError('TIMEOUT', `no answer to ${event} within ${ACK_TIMEOUT_MS / 1000} s`, event));
        if (reply && reply.error) return reject(new ServerError(reply.error.code, reply.error.message, event));
        resolve(reply);
      });
    });
  }

  // Fire and forget (typing); a refusal comes back as an `error` event.
  send(event, payload) {
    if (this.socket.connected) this.socket.emit(event, payload);
  }

  close() {
    this.ended = true;
    this.socket.close();
  }
}
