'use strict';
// Paging through 1 000 messages (sent over the socket) in both directions returns each exactly
// once, also while new messages keep arriving.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { token, startRestServer, api, messengerSocket, createRoom, sendMessage } = require('./helpers');

const TOTAL = 1000;

// Walks the room with `cursor` until next_cursor is null; `between` runs after each page.
async function walk(srv, tok, { newestFirst, limit, between = async () => {} }) {
  const ids = [];
  let cursor = null;
  for (let page = 0; page < 500; page++) {
    let path = `/v1/messages?room_id=b1.s1&limit=${limit}`;
    if (newestFirst) path += '&created_at=-1';
    if (cursor) path += `&cursor=${cursor}`;
    const res = await api(srv, 'GET', path, { token: tok });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.data.length <= limit);
    ids.push(...res.body.data.map((m) => m._id));
    cursor = res.body.filters.next_cursor;
    if (!cursor) return ids;
    await between(page);
  }
  throw new Error('paging did not end');
}

// Sends `n` messages over the two sockets, `width` in flight at a time; returns the acked ids.
async function sendMany(buyer, seller, n, prefix, width = 50) {
  const ids = [];
  for (let start = 0; start < n; start += width) {
    const batch = [];
    for (let i = start; i < Math.min(n, start + width); i++) {
      const fromBuyer = i % 2 === 0;
      batch.push(sendMessage(fromBuyer ? buyer : seller, {
        room_id: 'b1.s1', from: fromBuyer ? 'b1' : 's1', to: fromBuyer ? 's1' : 'b1', content: `${prefix}${i}`,
      }));
    }
    ids.push(...(await Promise.all(batch)).map((m) => m._id));
  }
  return ids;
}

describe('REST paging', () => {
  let srv;
  let buyer;
  let seller;
  let stored;

  before(async () => {
    // 1 000 messages in seconds from two sockets is setup, not a user: no event rate limit.
    srv = await startRestServer(['--event-rate', '0']);
    await createRoom(srv, 'b1', 's1');
    buyer = await messengerSocket(srv, 'b1', 'BUYER');
    seller = await messengerSocket(srv, 's1', 'SELLER');
    stored = (await sendMany(buyer, seller, TOTAL, 'm')).sort();
  });
  after(async () => {
    buyer.close();
    seller.close();
    await srv.stop();
  });

  it('oldest first: every message once, in order', { timeout: 60000 }, async () => {
    const ids = await walk(srv, token('b1', 'BUYER'), { newestFirst: false, limit: 100 });
    assert.equal(ids.length, TOTAL);
    assert.deepEqual(ids, stored);
  });

  it('newest first: every message once, in order', { timeout: 60000 }, async () => {
    const ids = await walk(srv, token('s1', 'SELLER'), { newestFirst: true, limit: 33 });
    assert.equal(ids.length, TOTAL);
    assert.deepEqual([...ids].reverse(), stored);
  });

  it('newest first while messages arrive: exactly the earlier ones, each once', { timeout: 60000 }, async () => {
    const before = (await walk(srv, token('b1'), { newestFirst: false, limit: 100 })).slice();
    const arrived = [];
    const ids = await walk(srv, token('b1'), {
      newestFirst: true,
      limit: 50,
      between: async () => arrived.push(...(await sendMany(buyer, seller, 5, 'late'))),
    });
    assert.ok(arrived.length > 0);
    assert.deepEqual([...ids].reverse(), before);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('oldest first while messages arrive: everything once, the new ones at the end', { timeout: 60000 }, async () => {
    const start = await walk(srv, token('b1'), { newestFirst: false, limit: 100 });
    const arrived = [];
    let rounds = 0;
    const ids = await walk(srv, token('s1'), {
      newestFirst: false,
      limit: 80,
      between: async () => {
        if (++rounds <= 4) arrived.push(...(await sendMany(buyer, seller, 6, 'later')));
      },
    });
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(ids, [...start, ...arrived.sort()]);
  });
});
