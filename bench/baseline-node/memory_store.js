'use strict';
// In-memory rooms and messages: the store the baseline gets for free, so that the benchmark
// measures Socket.IO and the event handlers, not a database.

let lastMillis = 0;
let sequence = 0;

// Time-ordered unique id: base36 milliseconds + a per-millisecond counter (cuid-like length).
function nextMessageId() {
  const now = Date.now();
  if (now === lastMillis) sequence++;
  else {
    lastMillis = now;
    sequence = 0;
  }
  return now.toString(36).padStart(9, '0') + sequence.toString(36).padStart(5, '0');
}

class MemoryStore {
  constructor() {
    this.rooms = new Map();
    this.messagesByRoom = new Map();
    this.messagesById = new Map();
    this.byClientId = new Map(); // `${from}\n${client_message_id}` -> message
  }

  room(id) {
    return this.rooms.get(id);
  }

  // Idempotent, as in the original: an existing room is returned and re-enabled for the side
  // of the caller when that side had deleted it.
  createRoom({ buyer, seller, shop_id, creator, side }) {
    const id = `${buyer}.${seller}`;
    const now = new Date().toISOString();
    let room = this.rooms.get(id);
    if (!room) {
      room = {
        _id: id, type: 'BS', buyer, seller, shop_id, creator,
        buyer_unseen_messages: 0, seller_unseen_messages: 0,
        buyer_last_message: null, seller_last_message: null,
        deleted_by_buyer: false, deleted_by_seller: false,
        enable: true, created_at: now, updated_at: now,
      };
      this.rooms.set(id, room);
      this.messagesByRoom.set(id, []);
    } else if (room[`deleted_by_${side}`]) {
      room.deleted_by_buyer = false;
      room.deleted_by_seller = false;
      room.updated_at = now;
    }
    return room;
  }

  addMessage(room, { room_id, from, to, type, content, client_message_id }) {
    const dedupKey = client_message_id === undefined ? null : `${from}\n${client_message_id}`;
    if (dedupKey !== null) {
      const existing = this.byClientId.get(dedupKey);
      if (existing) return { message: existing, duplicate: true };
    }
    const now = new Date().toISOString();
    const message = {
      _id: nextMessageId(), room_id, from, to, type, content,
      client_message_id: client_message_id === undefined ? null : client_message_id,
      is_seen: false, created_at: now,
    };
    this.messagesByRoom.get(room_id).push(message);
    this.messagesById.set(message._id, message);
    if (dedupKey !== null) this.byClientId.set(dedupKey, message);
    room.buyer_last_message = message;
    room.seller_last_message = message;
    if (to === room.buyer) room.buyer_unseen_messages++;
    else room.seller_unseen_messages++;
    room.updated_at = now;
    return { message, duplicate: false };
  }

  // Marks the given messages addressed to `reader` in the room as seen; returns their ids.
  markSeen(room, reader, ids) {
    const seen = [];
    for (const id of ids) {
      const m = this.messagesById.get(id);
      if (m && m.room_id === room._id && m.to === reader) {
        m.is_seen = true;
        seen.push(id);
      }
    }
    if (reader === room.buyer) room.buyer_unseen_messages = 0;
    else room.seller_unseen_messages = 0;
    return seen;
  }
}

module.exports = { MemoryStore };
