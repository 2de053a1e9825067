'use strict';
// Socket.IO events and acknowledgements in both directions, including binary attachments.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const {
  startServer, connect, waitFor, expectNoEvent, emitWithAck, emitWithAckAll, closeAllSockets, toBuffer,
} = require('../lib/harness');

const TRANSPORTS = [['websocket'], ['polling']];

// JSON values of every kind the parser must carry unchanged.
const VALUES = [
  'text with "quotes", \\ backslash, unicode é 漢字 🚀, and \n newline',
  0,
  -12.5,
  1e21,
  9007199254740991,
  true,
  false,
  null,
  [],
  {},
  { nested: { list: [1, 'two', { three: 3 }], empty: '' } },
];

describe('events', () => {
  let srv;
  before(async () => {
    srv = await startServer({ args: ['--test-namespaces'] });
  });
  after(async () => {
    closeAllSockets();
    await srv.stop();
  });
  afterEach(() => closeAllSockets());

  for (const transports of TRANSPORTS) {
    describe(`over ${transports[0]}`, () => {
      it('emit without ack: the server emits the same arguments back', { timeout: 10000 }, async () => {
        const socket = await connect(`${srv.url}/test`, { transports });
        socket.emit('echo', ...VALUES);
        const args = await waitFor(socket, 'echo');
        assert.deepEqual(args, VALUES);
      });

      it('emit with ack: the ack carries the arguments, and no event is sent', { timeout: 10000 }, async () => {
        const socket = await connect(`${srv.url}/test`, { transports });
        assert.deepEqual(await emitWithAckAll(socket, 'echo', ...VALUES), VALUES);
        assert.equal(await emitWithAck(socket, 'echo', 'single'), 'single');
        assert.deepEqual(await emitWithAckAll(socket, 'echo'), []);
        await expectNoEvent(socket, 'echo', 200);
      });

      it('many acks in flight are matched to their own calls', { timeout: 10000 }, async () => {
        const socket = await connect(`${srv.url}/test`, { transports });
        const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => emitWithAck(socket, 'echo', i)));
        assert.deepEqual(replies, Array.from({ length: 50 }, (_, i) => i));
      });

      it('server-to-client ack (`ask`): the reply reaches the server', { timeout: 10000 }, async () => {
        const socket = await connect(`${srv.url}/test`, { transports });
        socket.on('question', (a, b, ack) => {
          assert.equal(typeof ack, 'function', 'the server asked for an ack');
          ack('answer', { got: [a, b] });
        });
        socket.emit('ask', { event: 'question', args: [42, { x: 'y' }], timeout_ms: 3000 });
        const [result] = await waitFor(socket, 'ask_result');
        assert.deepEqual(result, { timed_out: false, reply: ['answer', { got: [42, { x: 'y' }] }] });
      });

      it('server-to-client ack timeout: reported after timeout_ms, a late ack is harmless', { timeout: 10000 }, async () => {
        const socket = await connect(`${srv.url}/test`, { transports });
        let lateAck;
        socket.on('silent_question', (...args) => {
          lateAck = args.pop();
        });
        const started = Date.now();
        socket.emit('ask', { event: 'silent_question', args: ['anyone?'], timeout_ms: 300 });
        const [result] = await waitFor(socket, 'ask_result', 5000);
        const elapsed = Date.now() - started;
        assert.equal(result.timed_out, true);
        assert.ok(elapsed >= 250, `timed out after ${elapsed} ms, before the 300 ms timeout`);
        assert.ok(elapsed < 3000, `timeout reported only after ${elapsed} ms`);
        assert.equal(typeof lateAck, 'function');
        lateAck('too late');
        // The connection goes on working after the late ack.
        assert.equal(await emitWithAck(socket, 'echo', 'still fine'), 'still fine');
        await expectNoEvent(socket, 'ask_result', 200);
      });

      it('binary attachments both ways: several, nested, empty, with and without ack', { timeout: 10000 }, async () => {
        const socket = await connect(`${srv.url}/test`, { transports });
        const small = Buffer.from([0, 1, 2, 3, 255]);
        const empty = Buffer.alloc(0);
        const big = Buffer.alloc(64 * 1024, 0xab);
        const tree = { meta: 'files', files: [{ name: 'a', data: small }, { name: 'b', data: big }], none: empty };

        socket.emit('echo', small, tree, 'text after binary');
        const [b1, t1, s1] = await waitFor(socket, 'echo');
        assert.deepEqual(toBuffer(b1), small);
        assert.equal(t1.meta, 'files');
        assert.equal(t1.files[0].name, 'a');
        assert.deepEqual(toBuffer(t1.files[0].data), small);
        assert.deepEqual(toBuffer(t1.files[1].data), big);
        assert.deepEqual(toBuffer(t1.none), empty);
        assert.equal(s1, 'text after binary');

        const [b2, t2] = await emitWithAckAll(socket, 'echo', small, tree);
        assert.deepEqual(toBuffer(b2), small);
        assert.deepEqual(toBuffer(t2.files[1].data), big);
      });
    });
  }
});
