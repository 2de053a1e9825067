'use strict';
// --shop-service / --account-service: new rooms take their shop and buyer details from the
// marketplace's services (here: a small HTTP server in this test), over REST and over the socket.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { emitWithAck } = require('../lib/harness');
const { startRestServer, api, token, messengerSocket } = require('./helpers');

let srv;
let service;
const requests = [];

before(async () => {
  service = http.createServer((req, res) => {
    requests.push(req.url);
    res.setHeader('content-type', 'application/json');
    if (req.url.startsWith('/shops/down')) {
      res.statusCode = 503;
      return res.end('{"error":"down"}');
    }
    if (req.url.startsWith('/shops/')) {
      const id = decodeURIComponent(req.url.slice('/shops/'.length));
      return res.end(JSON.stringify({ data: { name: `Shop ${id}`, logo: 'logo.png' } }));
    }
    const id = decodeURIComponent(req.url.slice('/users/'.length));
    return res.end(JSON.stringify({ name: `Buyer ${id}`, email: `${id}@example.test`, password: 'x' }));
  });
  await new Promise((resolve) => service.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${service.address().port}`;
  srv = await startRestServer([
    '--shop-service', `${base}/shops/{id}`,
    '--account-service', `${base}/users/{id}`,
    '--lookup-timeout', '1000',
  ]);
});

after(async () => {
  if (srv) await srv.stop();
  if (service) await new Promise((resolve) => service.close(resolve));
});

test('POST /v1/rooms stores the services\' details instead of the client\'s', async () => {
  const res = await api(srv, 'POST', '/v1/rooms', {
    token: token('lb1', 'BUYER'),
    body: { type: 'BS', buyer: 'lb1', seller: 'ls1', shop_id: '42', shop: { name: 'Client shop' },
      buyer_info: { name: 'Client name' } },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.room.shop.name, 'Shop 42');
  assert.ok(requests.includes('/shops/42'));
  assert.ok(requests.includes('/users/lb1'));
  const seller = await api(srv, 'GET', '/v1/rooms/lb1.ls1', { token: token('ls1', 'SELLER') });
  assert.equal(seller.body.room.buyer_info.name, 'Buyer lb1');
  assert.equal(seller.body.room.buyer_info.password, undefined, 'only the known buyer fields are kept');
});

test('create_room over the socket looks the details up too', async () => {
  const buyer = await messengerSocket(srv, 'lb2', 'BUYER');
  try {
    const ack = await emitWithAck(buyer, 'create_room', { type: 'BS', buyer: 'lb2', seller: 'ls2', shop_id: '7' });
    assert.equal(ack.status, true, JSON.stringify(ack));
    assert.equal(ack.room.shop.name, 'Shop 7');
    const seller = await api(srv, 'GET', '/v1/rooms/lb2.ls2', { token: token('ls2', 'SELLER') });
    assert.equal(seller.body.room.buyer_info.name, 'Buyer lb2');
  } finally {
    buyer.close();
  }
});

test('a failing service leaves the client\'s details and the room is still created', async () => {
  const res = await api(srv, 'POST', '/v1/rooms', {
    token: token('lb3', 'BUYER'),
    body: { type: 'BS', buyer: 'lb3', seller: 'ls3', shop_id: 'down', shop: { name: 'Client shop' } },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.room.shop.name, 'Client shop');
});
