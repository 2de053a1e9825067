'use strict';
// One worker thread of wsgen: runs its share of the conversations and hands its tally and
// latency samples to the main thread. Between phases it waits for the main thread's release,
// so that the server's CPU window covers every worker's sending and nothing else.
const { parentPort, workerData } = require('node:worker_threads');
const { ConversationRun } = require('./conversation');
const { mintHs256Token } = require('./jwt');

const o = workerData.options;
const issuedAtS = Math.floor(Date.now() / 1000);
const ctx = {
  target: { host: o.host, port: o.port, nsp: o.namespace, connectTimeoutMs: o.connectTimeout * 1000 },
  // A day of validity: runs are bounded far below that.
  credentials: (userId, role) => ({ userId, role, token: mintHs256Token(o.jwtSecret, userId, role, issuedAtS, 24 * 3600) }),
};

const waiting = new Map(); // phase -> resolve
parentPort.on('message', (m) => {
  if (m.type === 'release' && waiting.has(m.phase)) {
    const resolve = waiting.get(m.phase);
    waiting.delete(m.phase);
    resolve();
  }
});
const barrier = (phase) =>
  new Promise((resolve) => {
    waiting.set(phase, resolve);
    parentPort.postMessage({ type: 'arrive', phase });
  });

new ConversationRun(o, ctx).run(barrier).then(({ tally, ack, delivery }) => {
  const ackSamples = ack.samples.slice(0, ack.count);
  const deliverySamples = delivery.samples.slice(0, delivery.count);
  parentPort.postMessage({ type: 'result', tally, ackSamples, deliverySamples }, [
    ackSamples.buffer,
    deliverySamples.buffer,
  ]);
  parentPort.close(); // nothing more to hear: lets the thread end
});
