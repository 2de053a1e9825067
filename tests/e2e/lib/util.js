'use strict';
// Small helpers shared by the harness modules.
const net = require('node:net');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Asks the kernel for a free loopback port. The port is released before it is returned, so a
// caller that binds it later can lose a race with another process: callers retry on "in use".
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

// Rejects with `message` when `promise` has not settled within `ms`.
function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Polls `check` (sync or async, truthy = done) until it holds; throws `message` after timeoutMs.
// For states no event or selector names; a throwing check counts as not yet.
async function waitUntil(check, message, timeoutMs = 10000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${message} (within ${timeoutMs} ms; last: ${last})`);
    await sleep(intervalMs);
  }
}

// True when this file runs under `node --test` (each test file is its own process).
function underTestRunner() {
  return Boolean(process.env.NODE_TEST_CONTEXT) || process.execArgv.includes('--test');
}

module.exports = { sleep, freePort, withTimeout, waitUntil, underTestRunner };
