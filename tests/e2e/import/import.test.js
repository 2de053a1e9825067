'use strict';
// `cz-messenger import`: the original's collections, written by the `bson` package as
// mongoexport (relaxed and canonical Extended JSON, lines and --jsonArray) and mongodump (BSON)
// write them, imported into the store the suite runs on (SQLite; PostgreSQL in the suite's
// PostgreSQL leg), then read back field by field over REST and the socket `sync`.
const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFile } = require('node:child_process');
const { startServer, emitWithAck, closeAllSockets } = require('../lib/harness');
const { SECRET, token, api, messengerSocket } = require('../rest/helpers');
const { writeFixtures } = require('./fixtures');

const BINARY = process.env.CZ_BINARY || path.resolve(__dirname, '..', '..', '..', 'build', 'cz-messenger');

function runImport(args) {
  return new Promise((resolve) => {
    execFile(BINARY, ['import', '--json', '--quiet', ...args], { maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      let summary = null;
      try {
        summary = JSON.parse(stdout);
      } catch {
        summary = null;
      }
      resolve({ code: error ? error.code : 0, summary, stdout, stderr });
    });
  });
}

const iso = (d) => new Date(d).toISOString();
const idOf = (v) => String(v);

// What our API shows for an original message document.
function expectedMessage(doc, { withoutClientId = false } = {}) {
  const created = doc.created_at || doc.createdAt || new Date(parseInt(idOf(doc._id).slice(0, 8), 16) * 1000);
  const updated = doc.updated_at || doc.updatedAt || created;
  const m = {
    _id: idOf(doc._id), room_id: doc.room_id, from: doc.from || doc.sender, to: doc.to || doc.receiver,
    type: (doc.type || 'TEXT').toUpperCase(), content: doc.content,
  };
  if (doc.client_message_id && !withoutClientId) m.client_message_id = doc.client_message_id;
  m.is_seen = Boolean(doc.is_seen ?? doc.is_read ?? false);
  m.created_at = iso(created);
  m.updated_at = iso(updated);
  return m;
}

const byTimeThenId = (a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a._id < b._id ? -1 : a._id > b._id ? 1 : 0);

function plain(v) {
  return v === undefined ? null : JSON.parse(JSON.stringify(v, (k, x) => (x && x._bsontype === 'ObjectId' ? x.toHexString() : x)));
}

// What GET /v1/rooms/:id shows one side of an original room document.
function expectedRoomFor(doc, side, messagesById) {
  const r = {
    _id: doc._id, type: doc.type || 'BS', creator: doc.creator || doc.buyer, buyer: doc.buyer, seller: doc.seller,
    shop_id: doc.shop_id || (doc.shop && doc.shop._id ? idOf(doc.shop._id) : ''),
  };
  if (side === 'buyer') r.shop = plain(doc.shop); else r.buyer_info = plain(doc.buyer_info);
  const copy = doc[`${side}_last_message`];
  r[`${side}_last_message`] = copy ? { ...messagesById.get(idOf(copy._id)), is_seen: Boolean(copy.is_seen) } : null;
  const unseen = doc[`${side}_unseen_messages`];
  r[`${side}_unseen_messages`] = unseen == null ? 0 : Number(unseen.toString()); // Int32, Long too
  const pinned = doc[`pinned_by_${side}`];
  if (pinned) r[`pinned_by_${side}`] = iso(pinned);
  r[`deleted_by_${side}`] = Boolean(doc[`deleted_by_${side}`]);
  const deletedAt = doc[`${side}_deleted_at`];
  if (deletedAt) r[`${side}_deleted_at`] = iso(deletedAt);
  r.enable = doc.enable ?? true;
  const created = doc.created_at || doc.createdAt;
  r.created_at = iso(created);
  r.updated_at = iso(doc.updated_at || doc.updatedAt || created);
  return r;
}

// SQLite derives a room's per-message state from its messages (schema v3: the last message by
// (created_at, id) after a side's deletion, unread counts from the messages' is_seen flags, a
// deletion undone by a later message, updated_at no earlier than the last message); PostgreSQL
// keeps the original's fields as given. `roomMessages`: the room's expected messages in order.
function derivedRoomFor(doc, side, roomMessages) {
  const r = expectedRoomFor(doc, side, new Map());
  const user = doc[side];
  const deletedAt = doc[`deleted_by_${side}`] ? r[`${side}_deleted_at`] : null;
  const visible = roomMessages.filter((m) => deletedAt == null || m.created_at > deletedAt);
  const unseen = visible.filter((m) => m.to === user && !m.is_seen).length;
  const last = visible[visible.length - 1];
  r[`${side}_last_message`] = last ? { ...last, is_seen: last.from === user || unseen === 0 } : null;
  r[`${side}_unseen_messages`] = unseen;
  r[`deleted_by_${side}`] = Boolean(doc[`deleted_by_${side}`]) && !last;
  const lastAt = roomMessages.length ? roomMessages[roomMessages.length - 1].created_at : null;
  if (lastAt && lastAt > r.updated_at) r.updated_at = lastAt;
  return r;
}
const storeDerivesRooms = process.env.CZ_E2E_STORE !== 'postgres';

describe('cz-messenger import', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cz-import-'));
  let srv;
  after(async () => {
    closeAllSockets();
    if (srv) await srv.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports every export format, reruns idempotently, and reads back exactly', { timeout: 120000 }, async () => {
    const fx = writeFixtures(dir);
    const f = fx.files;
    srv = await startServer({ args: ['--jwt-secret', SECRET], store: 'sqlite' });
    const storeUrl = srv.store === 'sqlite' ? `sqlite:${path.join(srv.dataDir, 'cz.db')}` : srv.store;
    await srv.terminate(); // SQLite: one process at a time on the file; import, then serve

    // A dry run validates and counts, and stores nothing.
    const dry = await runImport(['--store', storeUrl, '--rooms', f.roomsRelaxed, '--messages', f.messagesA, '--dry-run']);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.equal(dry.summary.dry_run, true);
    assert.deepEqual([dry.summary.rooms.imported, dry.summary.rooms.duplicates, dry.summary.rooms.rejected], [4, 1, 2]);
    assert.deepEqual([dry.summary.messages.imported, dry.summary.messages.duplicates, dry.summary.messages.rejected], [42, 1, 4]);

    // Relaxed JSON lines, with bad documents reported by line; the import goes on past them.
    const first = await runImport(['--store', storeUrl, '--rooms', f.roomsRelaxed, '--messages', f.messagesA, '--batch', '7']);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const s = first.summary;
    assert.equal(s.rooms.format, 'JSON lines');
    assert.deepEqual([s.rooms.read, s.rooms.imported, s.rooms.duplicates, s.rooms.rejected], [7, 4, 1, 2]);
    assert.deepEqual([s.messages.read, s.messages.imported, s.messages.duplicates, s.messages.rejected], [47, 42, 1, 4]);
    assert.equal(s.messages.without_client_id, 1);
    const rejected = s.rejections.map((x) => `${path.basename(x.file)} ${x.position}`);
    assert.deepEqual(rejected, [
      ...fx.rejectedRooms.map((p) => `rooms.json ${p}`),
      ...fx.rejectedMessages.map((p) => `messages.json ${p}`),
    ]);
    const reasons = s.rejections.map((x) => x.reason);
    assert.match(reasons[0], /_id x9\.y9 is not <buyer>\.<seller>/);
    assert.match(reasons[1], /field seller is missing/);
    assert.match(reasons[2], /^not JSON/);
    assert.match(reasons[3], /type VIDEO is not TEXT, IMAGE or EMOJI/);
    assert.match(reasons[4], /not the two members of room b1\.s1/);
    assert.match(reasons[5], /room nobody\.none is neither in the rooms file nor stored/);

    // Canonical Extended JSON as --jsonArray (pretty), and BSON dumps: the rooms again
    // (duplicates), new messages.
    const second = await runImport(['--store', storeUrl, '--rooms', f.roomsCanonical, '--messages', f.messagesB]);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(second.summary.messages.format, 'JSON array');
    assert.deepEqual([second.summary.rooms.imported, second.summary.rooms.duplicates], [0, 4]);
    assert.deepEqual([second.summary.messages.imported, second.summary.messages.rejected], [15, 0]);
    const third = await runImport(['--store', storeUrl, '--rooms', f.roomsBson, '--messages', f.messagesC]);
    assert.equal(third.code, 0, third.stdout + third.stderr);
    assert.equal(third.summary.rooms.format, 'BSON');
    assert.deepEqual([third.summary.rooms.duplicates, third.summary.messages.imported], [4, 10]);

    // Rerunning skips everything that is there and still succeeds.
    const rerun = await runImport(['--store', storeUrl, '--rooms', f.roomsRelaxed, '--messages', f.messagesA]);
    assert.equal(rerun.code, 0);
    assert.deepEqual([rerun.summary.rooms.imported, rerun.summary.messages.imported, rerun.summary.messages.duplicates], [0, 0, 43]);

    // Unreadable input: a clear error and a non-zero exit.
    const junk = path.join(dir, 'junk.csv');
    fs.writeFileSync(junk, '_id,room_id\n1,2\n');
    const bad = await runImport(['--store', storeUrl, '--messages', junk]);
    assert.equal(bad.code, 1);
    assert.match(bad.summary.fatal, /neither JSON \(mongoexport\) nor BSON \(mongodump\)/);

    await srv.spawnOnce();

    // Every message, as the API shows it, in (created_at, id) order per room.
    const expected = fx.messages.map((d) => expectedMessage(d, { withoutClientId: idOf(d._id) === fx.reusedClientId }));
    const byId = new Map(expected.map((m) => [m._id, m]));
    const rooms = fx.rooms;
    for (const room of rooms) {
      const want = expected.filter((m) => m.room_id === room._id).sort(byTimeThenId);
      const got = [];
      let cursor = null;
      for (let page = 0; page < 20; page++) {
        const q = `/v1/messages?room_id=${encodeURIComponent(room._id)}&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await api(srv, 'GET', q, { token: token(room.buyer, 'BUYER') });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        got.push(...res.body.data);
        cursor = res.body.filters.next_cursor;
        if (!cursor) break;
      }
      assert.deepEqual(got, want, `messages of ${room._id}`);

      for (const [side, role] of [['buyer', 'BUYER'], ['seller', 'SELLER']]) {
        const res = await api(srv, 'GET', `/v1/rooms/${encodeURIComponent(room._id)}`, { token: token(room[side], role) });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const want = storeDerivesRooms ? derivedRoomFor(room, side, got) : expectedRoomFor(room, side, byId);
        assert.deepEqual(res.body.room, want, `room ${room._id} as the ${side}`);
      }
    }

    // sync: each user's messages across their rooms, paged from the start and by imported ids.
    for (const [user, role] of [['b1', 'BUYER'], ['s1', 'SELLER'], ['bü3', 'BUYER']]) {
      const want = expected.filter((m) => m.from === user || m.to === user).sort(byTimeThenId);
      const socket = await messengerSocket(srv, user, role);
      const got = [];
      let since = '1970-01-01T00:00:00.000Z';
      for (let page = 0; page < 50; page++) {
        const reply = await emitWithAck(socket, 'sync', { since, limit: 9 });
        assert.ok(Array.isArray(reply.messages), JSON.stringify(reply));
        got.push(...reply.messages);
        if (!reply.has_more) break;
        since = reply.next_since;
      }
      assert.deepEqual(got, want, `sync of ${user}`);
      socket.close();
    }

    // A message sent now lands after the imported ones, for REST and for sync from an imported id.
    const buyer = await messengerSocket(srv, 'b1', 'BUYER');
    const sent = await emitWithAck(buyer, 'new_message', { room_id: 'b1.s1', from: 'b1', to: 's1', type: 'TEXT', content: 'after the move' });
    assert.ok(sent && sent._id, JSON.stringify(sent));
    const newest = await api(srv, 'GET', '/v1/messages?room_id=b1.s1&limit=1&created_at=-1', { token: token('b1', 'BUYER') });
    assert.equal(newest.body.data[0]._id, sent._id);
    const lastImported = expected.filter((m) => m.room_id === 'b1.s1').sort(byTimeThenId).pop();
    const caughtUp = await emitWithAck(buyer, 'sync', { since: lastImported._id });
    assert.deepEqual(caughtUp.messages.map((m) => m._id), [sent._id]);
  });
});
