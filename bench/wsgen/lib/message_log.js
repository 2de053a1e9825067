'use strict';
// What the generator remembers of each message it sent, by seq (its client_message_id is
// "m<seq>", its ack id seq + 1): send time, conversation, deliveries, ack state. Columns of
// typed arrays, grown by doubling: no object per message on the hot path.

const Ack = Object.freeze({ none: 0, ok: 1, error: 2 });

class MessageLog {
  constructor(capacity) {
    this.length = 0;
    this.allocate(Math.max(1024, capacity));
  }

  allocate(capacity) {
    const grow = (Type, old) => {
      const a = new Type(capacity);
      if (old) a.set(old.subarray(0, this.length));
      return a;
    };
    this.sentMs = grow(Float64Array, this.sentMs); // performance.now() of the send
    this.group = grow(Uint32Array, this.group);
    this.deliveries = grow(Uint16Array, this.deliveries);
    this.ack = grow(Uint8Array, this.ack);
  }

  // Records a message about to be sent; returns its seq.
  push(sentMs, group) {
    if (this.length === this.sentMs.length) this.allocate(this.sentMs.length * 2);
    const seq = this.length++;
    this.sentMs[seq] = sentMs;
    this.group[seq] = group;
    this.deliveries[seq] = 0;
    this.ack[seq] = Ack.none;
    return seq;
  }
}

module.exports = { MessageLog, Ack };
