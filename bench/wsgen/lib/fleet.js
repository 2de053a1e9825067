'use strict';
// The clients of one worker (as cz-loadgen's fleet.cpp): creates them, connects them to the
// namespace with a cap on connects in progress and a per-client timeout, and forwards what
// they receive to the scenario.
const { SioClient, State } = require('./sio_client');

class Fleet {
  // ctx: { target: { host, port, nsp, connectTimeoutMs }, credentials(userId, role) }
  // handler: { onEvent(client, name, arg), onAck(client, ackId, arg) }
  constructor(ctx, handler) {
    this.ctx = ctx;
    this.handler = handler;
    this.clients = [];
    this.pending = []; // credentials by client index, freed once connected
    this.timers = [];
    this.nextToStart = 0;
    this.inProgress = 0;
    this.stats = { attempted: 0, connected: 0, failed: 0, failures: {}, firstFailure: '' };
    this.dropped = 0;
    this.firstDrop = '';
    this.allDone = null;
  }

  add(userId, role) {
    const index = this.clients.length;
    this.clients.push(new SioClient(this, index));
    this.pending.push({ userId, role });
    this.timers.push(null);
    return index;
  }

  // Connects every added client; resolves when each is connected or failed.
  connectAll(concurrency) {
    this.concurrency = concurrency;
    return new Promise((resolve) => {
      this.allDone = resolve;
      this.startMore();
    });
  }

  startMore() {
    while (this.inProgress < this.concurrency && this.nextToStart < this.clients.length) {
      const index = this.nextToStart++;
      const client = this.clients[index];
      const { userId, role } = this.pending[index];
      ++this.inProgress;
      ++this.stats.attempted;
      this.timers[index] = setTimeout(
        () => client.fail('timeout', 'no namespace CONNECT in time'),
        this.ctx.target.connectTimeoutMs,
      );
      client.connect(this.ctx.target, this.ctx.credentials(userId, role));
    }
    if (this.inProgress === 0 && this.nextToStart === this.clients.length && this.allDone) {
      const done = this.allDone;
      this.allDone = null;
      done();
    }
  }

  settleConnect(client) {
    clearTimeout(this.timers[client.index]);
    this.timers[client.index] = null;
    this.pending[client.index] = null;
    --this.inProgress;
  }

  onConnected(client) {
    this.settleConnect(client);
    ++this.stats.connected;
    this.startMore();
  }

  onFailed(client, kind, detail) {
    if (this.timers[client.index] !== null) {
      // failed while connecting
      this.settleConnect(client);
      ++this.stats.failed;
      this.stats.failures[kind] = (this.stats.failures[kind] || 0) + 1;
      if (!this.stats.firstFailure) this.stats.firstFailure = `${kind}: ${detail}`;
      this.startMore();
    } else if (!this.closing) {
      ++this.dropped;
      if (!this.firstDrop) this.firstDrop = `${kind}: ${detail}`;
    }
  }

  onEvent(client, name, arg) {
    this.handler.onEvent(client, name, arg);
  }

  onAck(client, ackId, arg) {
    this.handler.onAck(client, ackId, arg);
  }

  isConnected(index) {
    return this.clients[index].state === State.connected;
  }

  closeAll() {
    this.closing = true;
    for (const t of this.timers) if (t) clearTimeout(t);
    for (const client of this.clients) client.close();
  }
}

module.exports = { Fleet };
