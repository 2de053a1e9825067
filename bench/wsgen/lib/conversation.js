'use strict';
// pairs and fanout, one worker's share (as cz-loadgen's scenario_conversation.cpp, which this
// mirrors step by step so that both generators offer the same load): G conversations; in each,
// a buyer (one socket) creates the room, then sends new_message with an ack to a seller
// connected with T sockets ("tabs"). Every message goes to every tab of the seller, and back to
// the buyer's own socket (counted as an echo).
//
// Each message's client_message_id is "m<seq>" and its ack id is seq + 1, so both the ack and
// every delivery find the message's record directly.
const { performance } = require('node:perf_hooks');
const { hrNs } = require('./clock');
const { Fleet } = require('./fleet');
const { LatencyRecorder } = require('./latency');
const { MessageLog, Ack } = require('./message_log');
const { emptyTally } = require('./tally');

const ROOM_ACK_BASE = 2 ** 40; // ack ids of create_room, above any seq
const NO_GROUP = 0xffffffff;
const Role = Object.freeze({ buyer: 0, seller: 1, background: 2 });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class ConversationRun {
  // o: this worker's share of the options (shareOf); ctx: { target, credentials }
  constructor(o, ctx) {
    this.o = o;
    this.ctx = ctx;
    this.fleet = new Fleet(ctx, this);
    this.conversations = [];
    this.roles = []; // by client index
    this.groupOfClient = [];
    this.lastSeqOfClient = [];
    this.measuredFrom = 0; // seqs below it are the warm-up's
    this.closedLoopSending = false;
    this.cappedDeliveries = 0; // deliveries of measured messages, at most tabs each
    this.otherEvents = 0;
    this.foreignMessages = 0;
    this.unexpectedAcks = 0;
    this.t = emptyTally();
  }

  // Connects, creates the rooms, warms up, then sends for the measured window; `barrier(phase)`
  // resolves when every worker has reached the same point (the main thread starts or stops the
  // measurement there). Returns the tally and the latency samples.
  async run(barrier) {
    this.buildConversations();
    await this.fleet.connectAll(this.o.connectConcurrency);
    await this.createRooms();
    if (this.o.warmup > 0) {
      // lets a JIT compile the hot path (the baseline's, and ours); then everything is reset
      await this.sendFor(this.o.warmup);
      await this.drain();
      this.resetStatistics();
    }
    await barrier('begin');
    await this.sendFor(this.o.duration);
    await this.drain();
    await barrier('end');
    this.tallyUp();
    this.fleet.closeAll();
    return { tally: this.t, ack: this.ackLatency, delivery: this.deliveryLatency };
  }

  buildConversations() {
    const o = this.o;
    const content = 'x'.repeat(o.messageSize);
    for (let g = 0; g < o.pairs; g++) {
      const buyer = `${o.userPrefix}b${g}`;
      const seller = `${o.userPrefix}s${g}`;
      const conv = { buyer, seller, roomId: `${buyer}.${seller}`, sellerClients: [], roomReady: false };
      conv.buyerClient = this.addClient(buyer, 'BUYER', Role.buyer, g);
      for (let t = 0; t < o.tabs; t++) conv.sellerClients.push(this.addClient(seller, 'SELLER', Role.seller, g));
      // The new_message payload up to the client_message_id digits, as cz-loadgen builds it.
      conv.messagePrefix =
        `{"room_id":${JSON.stringify(conv.roomId)},"from":${JSON.stringify(buyer)},` +
        `"to":${JSON.stringify(seller)},"type":"TEXT","content":${JSON.stringify(content)},` +
        '"client_message_id":"m';
      this.conversations.push(conv);
    }
    for (let i = 0; i < o.background; i++) {
      // users of their own: they get nothing
      this.addClient(`${o.userPrefix}z${i}`, i % 2 ? 'SELLER' : 'BUYER', Role.background, NO_GROUP);
    }
    const planned = o.rate > 0 ? o.rate * (o.duration + o.warmup) : 1e5;
    const capacity = Math.min(planned * 1.05 + 16, 50e6);
    this.log = new MessageLog(capacity);
    this.ackLatency = new LatencyRecorder(capacity);
    this.deliveryLatency = new LatencyRecorder(capacity * o.tabs);
  }

  addClient(user, role, r, group) {
    const index = this.fleet.add(user, role);
    this.roles.push(r);
    this.groupOfClient.push(group);
    this.lastSeqOfClient.push(-1);
    return index;
  }

  async createRooms() {
    this.conversations.forEach((conv, g) => {
      if (!this.fleet.isConnected(conv.buyerClient)) return;
      const payload =
        `{"type":"BS","buyer":${JSON.stringify(conv.buyer)},"seller":${JSON.stringify(conv.seller)},` +
        `"shop_id":"shop-bench","creator":${JSON.stringify(conv.buyer)}}`;
      this.fleet.clients[conv.buyerClient].emitWithAckId('create_room', payload, ROOM_ACK_BASE + g);
    });
    const deadline = performance.now() + this.o.connectTimeout * 1000;
    while (this.t.rooms_answered < this.conversations.length && performance.now() < deadline) await sleep(5);
  }

  onRoomAck(group, refused) {
    if (group >= this.conversations.length) return;
    ++this.t.rooms_answered;
    if (refused) ++this.t.room_errors;
    else this.conversations[group].roomReady = true;
  }

  // Sends the next message of conversation g, if its buyer is usable.
  sendOne(g) {
    const conv = this.conversations[g];
    if (!conv.roomReady || !this.fleet.isConnected(conv.buyerClient)) return;
    const seq = this.log.push(performance.now(), g);
    this.fleet.clients[conv.buyerClient].emitWithAckId('new_message', `${conv.messagePrefix}${seq}"}`, seq + 1);
  }

  sendFor(seconds) {
    return this.o.rate > 0 ? this.sendPaced(seconds) : this.sendClosedLoop(seconds);
  }

  // Open loop at this worker's share of the rate, round robin over its conversations. Lateness
  // of the generator against the schedule is reported (send_lag), not hidden.
  sendPaced(seconds) {
    const o = this.o;
    const planned = Math.round(o.rate * seconds);
    const msPerMessage = 1000 / o.rate;
    const begin = performance.now();
    let nextTick = begin;
    let scheduled = 0;
    let roundRobin = 0;
    this.t.send_begin_ns = hrNs();
    return new Promise((resolve) => {
      const tick = () => {
        const now = performance.now();
        const due = Math.min(planned, Math.floor((now - begin) / msPerMessage) + 1);
        for (; scheduled < due; ++scheduled) {
          const lagNs = (now - begin - scheduled * msPerMessage) * 1e6;
          if (lagNs > this.t.max_send_lag_ns) this.t.max_send_lag_ns = lagNs;
          this.sendOne(roundRobin++ % this.conversations.length);
        }
        if (scheduled >= planned) {
          this.t.send_end_ns = hrNs();
          return resolve();
        }
        nextTick += o.tickMs;
        setTimeout(tick, Math.max(0, nextTick - performance.now()));
      };
      tick();
    });
  }

  // Each buyer keeps `window` messages in flight: finds the saturation throughput.
  async sendClosedLoop(seconds) {
    this.t.send_begin_ns = hrNs();
    this.closedLoopSending = true;
    for (let g = 0; g < this.conversations.length; g++) {
      for (let w = 0; w < this.o.window; w++) this.sendOne(g);
    }
    await sleep(seconds * 1000);
    this.closedLoopSending = false;
    this.t.send_end_ns = hrNs();
  }

  onEvent(client, name, arg) {
    if (name !== 'new_message') {
      ++this.otherEvents;
      return;
    }
    const seq = messageSeq(arg);
    if (seq === null || seq >= this.log.length) {
      ++this.foreignMessages;
      return;
    }
    if (seq < this.measuredFrom) return; // a late warm-up message
    const c = client.index;
    if (this.roles[c] === Role.buyer) {
      ++this.t.echoes;
      return;
    }
    if (this.log.group[seq] !== this.groupOfClient[c]) {
      ++this.t.misdelivered;
      return;
    }
    if (++this.log.deliveries[seq] > this.o.tabs) {
      ++this.t.duplicates;
    } else {
      ++this.cappedDeliveries;
      this.deliveryLatency.addNs((performance.now() - this.log.sentMs[seq]) * 1e6);
    }
    if (seq < this.lastSeqOfClient[c]) ++this.t.out_of_order;
    else this.lastSeqOfClient[c] = seq;
  }

  onAck(client, ackId, arg) {
    const refused = !isObject(arg) || Object.hasOwn(arg, 'error');
    if (refused && !this.t.first_error) this.t.first_error = describe(arg);
    if (ackId >= ROOM_ACK_BASE) return this.onRoomAck(ackId - ROOM_ACK_BASE, refused);
    const seq = ackId - 1;
    if (ackId === 0 || seq >= this.log.length || this.log.ack[seq] !== Ack.none) {
      ++this.unexpectedAcks;
      return;
    }
    if (seq < this.measuredFrom) {
      // a late warm-up ack
      this.log.ack[seq] = Ack.ok;
    } else if (refused) {
      this.log.ack[seq] = Ack.error;
      ++this.t.refused;
    } else {
      this.log.ack[seq] = Ack.ok;
      ++this.t.acked;
      this.ackLatency.addNs((performance.now() - this.log.sentMs[seq]) * 1e6);
    }
    if (this.closedLoopSending) this.sendOne(this.groupOfClient[client.index]);
  }

  resetStatistics() {
    this.measuredFrom = this.log.length;
    this.cappedDeliveries = this.otherEvents = this.foreignMessages = this.unexpectedAcks = 0;
    const fresh = emptyTally(); // the rooms were made before the warm-up: they stay counted
    fresh.rooms_answered = this.t.rooms_answered;
    fresh.room_errors = this.t.room_errors;
    this.t = fresh;
    const planned = this.o.rate > 0 ? this.o.rate * this.o.duration : 1e5;
    const capacity = Math.min(planned * 1.05 + 16, 50e6);
    this.ackLatency = new LatencyRecorder(capacity);
    this.deliveryLatency = new LatencyRecorder(capacity * this.o.tabs);
  }

  // Counters only: a scan of every message each poll would cost more than the server's work.
  settled() {
    return (
      this.t.acked + this.t.refused === this.log.length - this.measuredFrom &&
      this.cappedDeliveries >= this.t.acked * this.o.tabs
    );
  }

  // Waits for outstanding acks and deliveries, up to the grace period.
  async drain() {
    const deadline = performance.now() + this.o.grace * 1000;
    while (!this.settled() && performance.now() < deadline) await sleep(10);
  }

  // Final counts of this worker, from the messages' records.
  tallyUp() {
    const t = this.t;
    const tabs = this.o.tabs;
    const { ack, deliveries } = this.log;
    for (let seq = this.measuredFrom; seq < this.log.length; seq++) {
      t.delivered += Math.min(deliveries[seq], tabs);
      if (ack[seq] === Ack.none) ++t.unacked;
      if (ack[seq] === Ack.ok && deliveries[seq] < tabs) {
        ++t.lost;
        t.lost_deliveries += tabs - deliveries[seq];
      }
    }
    const cs = this.fleet.stats;
    t.sent = this.log.length - this.measuredFrom;
    t.clients = this.fleet.clients.length;
    t.connected = cs.connected;
    t.connect_failures = cs.failed;
    t.dropped = this.fleet.dropped;
    t.conversations = this.conversations.length;
    if (!t.first_error) t.first_error = cs.firstFailure;
    t.first_drop = this.fleet.firstDrop;
  }
}

function isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function messageSeq(arg) {
  if (!isObject(arg)) return null;
  const id = arg.client_message_id;
  if (typeof id !== 'string' || id.length < 2 || id[0] !== 'm') return null;
  const digits = id.slice(1);
  return /^[0-9]+$/.test(digits) ? Number(digits) : null;
}

function describe(arg) {
  if (isObject(arg) && isObject(arg.error)) {
    let out = 'refused: ';
    if (typeof arg.error.code === 'string') out += arg.error.code;
    if (typeof arg.error.message === 'string') out += ` ${arg.error.message}`;
    return out;
  }
  return 'refused: ack is not an object';
}

module.exports = { ConversationRun };
