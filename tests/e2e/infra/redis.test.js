'use strict';
// The harness can start a real redis-server and stop it.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { startRedis } = require('../lib/harness');

function redisCommand(port, line) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(3000, () => socket.destroy(new Error('redis reply timed out')));
    socket.on('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (d) => {
      reply += d;
      if (reply.endsWith('\r\n')) socket.end();
    });
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
  });
}

test('startRedis: a real redis-server answers PING, and stop() shuts it down', { timeout: 20000 }, async () => {
  const redis = await startRedis();
  assert.match(redis.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(await redisCommand(redis.port, 'PING'), '+PONG\r\n');
  await redis.stop();
  await assert.rejects(redisCommand(redis.port, 'PING'), /ECONNREFUSED/);
});
