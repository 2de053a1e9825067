'use strict';
// Test data shaped like the original service's MongoDB collections (../../../../shared/spec/
// original-service.md, "Data model"), written with the `bson` package as MongoDB's own tools
// write it: EJSON.stringify relaxed (mongoexport's default) and canonical, --jsonArray, and
// BSON.serialize back to back (mongodump). Edge cases: optional fields missing, the older
// sender/receiver/is_read names, mongoose's createdAt, ObjectId ids, unicode, huge content,
// ids whose order is not their time order, duplicate ids, a reused client_message_id, and
// documents the import must reject (with their position).
const fs = require('node:fs');
const path = require('node:path');
const { EJSON, BSON, ObjectId, Int32, Long } = require('bson');

const T0 = Date.UTC(2024, 0, 15, 9, 0, 0, 123);
const MIN = 60000;

// A cuid as the original's server made them: "c", base-36 time (8), counter (4), fingerprint
// (4), random (8). `n` makes it unique and deterministic.
function cuid(ms, n) {
  const block = (v, w) => v.toString(36).padStart(w, '0').slice(-w);
  return `c${block(ms, 8)}${block(n, 4)}fp01${block(n * 7919 + 12345, 8)}`;
}

function rooms() {
  return [
    {
      _id: 'b1.s1', type: 'BS', creator: 'b1', buyer: 'b1', seller: 's1',
      shop: { _id: new ObjectId('65a1b2c3d4e5f60718293a4b'), name: 'Café Ünïcode 🛍', rating: 4.5 },
      buyer_info: { name: 'Bob Müller', avatar: 'https://img/b1.png', phone_number: '+49 1', email: 'b1@x.test' },
      buyer_unseen_messages: 0, seller_unseen_messages: 3,
      pinned_by_buyer: new Date(T0 + 500 * MIN),
      deleted_by_buyer: false, deleted_by_seller: false, enable: true,
      created_at: new Date(T0), updated_at: new Date(T0 + 600 * MIN),
      // buyer_last_message / seller_last_message are filled in below (copies of a message).
    },
    // Minimal: mongoose's camelCase timestamps, no shop/buyer_info/counters/flags.
    { _id: 'b2.s1', buyer: 'b2', seller: 's1', createdAt: new Date(T0 + 5 * MIN) },
    {
      _id: 'b1.s2', type: 'BS', creator: 's2', buyer: 'b1', seller: 's2', shop_id: 'shop-77',
      shop: { name: 'Second shop' }, buyer_info: { name: 'Bob' },
      buyer_unseen_messages: new Int32(2), seller_unseen_messages: Long.fromNumber(0),
      pinned_by_seller: new Date(T0 + 30 * MIN),
      deleted_by_seller: true, seller_deleted_at: new Date(T0 + 40 * MIN),
      enable: true, created_at: new Date(T0 + 10 * MIN), updated_at: new Date(T0 + 40 * MIN),
    },
    {
      _id: 'bü3.s2', type: 'BS', creator: 'bü3', buyer: 'bü3', seller: 's2',
      shop: { name: '二手商店' }, buyer_info: { name: 'Zoë مرحبا' },
      created_at: new Date(T0 + 20 * MIN), updated_at: new Date(T0 + 20 * MIN),
    },
  ];
}

const BAD_ROOMS = [
  { _id: 'x9.y9', buyer: 'b9', seller: 's9', created_at: new Date(T0) }, // id is not buyer.seller
  { _id: 'b8.', buyer: 'b8', created_at: new Date(T0) }, // no seller
];

function message(n, room, fromBuyer, at, extra = {}) {
  const [buyer, seller] = room.split('.');
  return {
    _id: cuid(at, n), room_id: room, from: fromBuyer ? buyer : seller, to: fromBuyer ? seller : buyer,
    type: 'TEXT', content: `message ${n}`, is_seen: n % 3 === 0,
    created_at: new Date(at), updated_at: new Date(at + 1000), ...extra,
  };
}

// Part A (relaxed JSON lines): the current variant in b1.s1.
function partA() {
  const out = [];
  for (let i = 0; i < 40; i++) {
    const extra = {};
    if (i % 2 === 0) extra.client_message_id = `cm-${i}`;
    if (i % 10 === 3) Object.assign(extra, { type: 'IMAGE', content: `https://img.test/${i}.jpg` });
    if (i % 10 === 7) Object.assign(extra, { type: 'emoji', content: '😀👍🏽' });
    if (i === 5) extra.content = 'héllo 👋 你好 مرحبا — "quotes" \\ back\nslash\ttab';
    if (i === 9) extra.content = 'x'.repeat(300 * 1024); // huge
    if (i === 11) delete extra.client_message_id;
    if (i === 13) delete extra.updated_at;
    out.push(message(i, 'b1.s1', i % 2 === 0, T0 + (i + 1) * MIN, extra));
  }
  // The clocks of two Node processes disagreed: this id is from "later" than its created_at.
  out.push(message(40, 'b1.s1', true, T0 + 20.5 * MIN, { _id: cuid(T0 + 90 * MIN, 40) }));
  // The same sender reused a client_message_id (the original never deduplicated retries).
  out.push(message(41, 'b1.s1', true, T0 + 41 * MIN, { client_message_id: 'cm-0' }));
  return out;
}

// Part B (canonical, --jsonArray, pretty): the older variant in b1.s1, and b1.s2.
function partB() {
  const out = [];
  for (let i = 0; i < 10; i++) {
    const m = message(100 + i, 'b1.s1', i % 2 === 1, T0 + (50 + i) * MIN);
    m.sender = m.from; m.receiver = m.to; m.is_read = i < 5;
    delete m.from; delete m.to; delete m.is_seen;
    out.push(m);
  }
  for (let i = 0; i < 5; i++) out.push(message(200 + i, 'b1.s2', i !== 2, T0 + (11 + i) * MIN));
  return out;
}

// Part C (BSON): ObjectId ids in b2.s1 (some without created_at: the id's time), unicode room.
function partC() {
  const out = [];
  for (let i = 0; i < 6; i++) {
    const at = Math.floor((T0 + (6 + i) * MIN) / 1000) * 1000;
    const id = new ObjectId(`${Math.floor(at / 1000).toString(16)}a1b2c3d4e5f6${String(i).padStart(4, '0')}`);
    const m = message(300 + i, 'b2.s1', i % 2 === 0, at, { _id: id });
    if (i >= 4) { delete m.created_at; delete m.updated_at; }
    out.push(m);
  }
  for (let i = 0; i < 4; i++) {
    out.push(message(400 + i, 'bü3.s2', i % 2 === 0, T0 + (21 + i) * MIN, { content: `ünïcödé ${i} 🎉` }));
  }
  return out;
}

const ejsonLine = (doc, relaxed) => EJSON.stringify(doc, { relaxed });

// Writes every file into `dir`; returns their paths, the expected documents and the positions
// of what must be rejected or skipped.
function writeFixtures(dir) {
  const r = rooms();
  const a = partA(), b = partB(), c = partC();
  const byId = new Map([...a, ...b, ...c].map((m) => [String(m._id), m]));
  // Each side's copy of the last message (the original stores copies).
  const last = byId.get(cuid(T0 + 40 * MIN, 39));
  r[0].buyer_last_message = { ...last, is_seen: true };
  r[0].seller_last_message = { ...last, is_seen: false };
  const lastB2 = c[5];
  r[1].buyer_last_message = { ...lastB2, is_seen: false };

  const files = {
    roomsRelaxed: path.join(dir, 'rooms.json'),
    roomsCanonical: path.join(dir, 'rooms.array.json'),
    roomsBson: path.join(dir, 'rooms.bson'),
    messagesA: path.join(dir, 'messages.json'),
    messagesB: path.join(dir, 'messages.array.json'),
    messagesC: path.join(dir, 'messages.bson'),
  };
  // Rooms: relaxed lines with the bad ones and a duplicate of the first.
  const roomLines = [...r, ...BAD_ROOMS, r[0]].map((d) => ejsonLine(d, true));
  fs.writeFileSync(files.roomsRelaxed, roomLines.join('\n') + '\n');
  fs.writeFileSync(files.roomsCanonical,
    `[\n${r.map((d) => JSON.stringify(EJSON.serialize(d, { relaxed: false }), null, 2)).join(',\n')}\n]\n`);
  fs.writeFileSync(files.roomsBson, Buffer.concat(r.map((d) => BSON.serialize(d))));

  // Messages A: relaxed lines, plus a duplicate line and four bad ones.
  const linesA = a.map((d) => ejsonLine(d, true));
  const bad = [
    '{"_id": "cbroken0000fp01aaaaaaaa", "room_id": "b1.s1", ', // not JSON
    ejsonLine(message(900, 'b1.s1', true, T0, { type: 'VIDEO' }), true),
    ejsonLine(message(901, 'b1.s1', true, T0, { from: 'x9' }), true), // not a member
    ejsonLine(message(902, 'nobody.none', true, T0), true), // no such room
  ];
  linesA.splice(10, 0, linesA[3]); // line 11 repeats line 4
  linesA.splice(20, 0, ...bad); // lines 21-24
  fs.writeFileSync(files.messagesA, linesA.join('\n') + '\n');
  // Messages B: canonical --jsonArray, pretty-printed.
  fs.writeFileSync(files.messagesB,
    `[\n${b.map((d) => JSON.stringify(EJSON.serialize(d, { relaxed: false }), null, 2)).join(',\n')}\n]\n`);
  // Messages C: a dump.
  fs.writeFileSync(files.messagesC, Buffer.concat(c.map((d) => BSON.serialize(d))));

  return {
    files,
    rooms: r,
    messages: [...a, ...b, ...c],
    rejectedRooms: ['line 5', 'line 6'],
    rejectedMessages: ['line 21', 'line 22', 'line 23', 'line 24'],
    reusedClientId: String(a[a.length - 1]._id),
  };
}

module.exports = { writeFixtures, cuid, T0 };
