'use strict';
// Writes a mongoexport-style export of the original's collections for the import bench:
// `rooms.json` and `messages.json`, relaxed Extended JSON, one document per line (mongoexport's
// default), made with the `bson` package (tests/e2e/node_modules). Deterministic.
//   node bench/import/generate.js DIR [MESSAGES=1000000] [ROOMS=10000]
const fs = require('node:fs');
const path = require('node:path');
const { EJSON } = require(path.resolve(__dirname, '../../tests/e2e/node_modules/bson'));

const [dir, messagesArg, roomsArg] = process.argv.slice(2);
if (!dir) throw new Error('usage: generate.js DIR [MESSAGES] [ROOMS]');
const MESSAGES = Number(messagesArg || 1000000);
const ROOMS = Number(roomsArg || 10000);
const T0 = Date.UTC(2024, 0, 1);

const block = (v, w) => v.toString(36).padStart(w, '0').slice(-w);
const cuid = (ms, n) => `c${block(ms, 8)}${block(n, 4)}bnch${block(n * 7919 + 12345, 8)}`;

function writeLines(file, count, make) {
  const fd = fs.openSync(file, 'w');
  let chunk = [];
  for (let i = 0; i < count; i++) {
    chunk.push(EJSON.stringify(make(i), { relaxed: true }));
    if (chunk.length === 10000) {
      fs.writeSync(fd, chunk.join('\n') + '\n');
      chunk = [];
    }
  }
  if (chunk.length) fs.writeSync(fd, chunk.join('\n') + '\n');
  fs.closeSync(fd);
}

fs.mkdirSync(dir, { recursive: true });
writeLines(path.join(dir, 'rooms.json'), ROOMS, (i) => ({
  _id: `buyer${i}.seller${i % 500}`, type: 'BS', creator: `buyer${i}`, buyer: `buyer${i}`, seller: `seller${i % 500}`,
  shop: { name: `Shop ${i % 500}` }, buyer_info: { name: `Buyer ${i}`, avatar: null, phone_number: null, email: null },
  buyer_unseen_messages: 0, seller_unseen_messages: i % 4, deleted_by_buyer: false, deleted_by_seller: false,
  enable: true, created_at: new Date(T0 + i * 1000), updated_at: new Date(T0 + i * 1000),
}));
// Messages spread over the rooms, realistic sizes (20-200 characters), every fifth an image.
writeLines(path.join(dir, 'messages.json'), MESSAGES, (i) => {
  const room = i % ROOMS;
  const fromBuyer = (i >> 1) % 2 === 0;
  const buyer = `buyer${room}`, seller = `seller${room % 500}`;
  const at = T0 + 86400000 + i * 997;
  return {
    _id: cuid(at, i), room_id: `${buyer}.${seller}`, from: fromBuyer ? buyer : seller, to: fromBuyer ? seller : buyer,
    type: i % 5 === 0 ? 'IMAGE' : 'TEXT',
    content: i % 5 === 0 ? `https://cdn.example/img/${i}.jpg` : `message ${i} `.repeat(2 + (i % 15)),
    client_message_id: `cm-${i}`, is_seen: i % 3 !== 0, created_at: new Date(at), updated_at: new Date(at),
  };
});
