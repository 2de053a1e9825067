'use strict';
// --max-payload: a message over the limit closes that client's connection only.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const {
  startServer, connect, once, emitWithAck, closeAllSockets, pollingHandshake,
} = require('../lib/harness');

const MAX_PAYLOAD = 1000;

describe('max payload', () => {
  let srv;
  before(async () => {
    srv = await startServer({ args: ['--test-namespaces', '--max-payload', String(MAX_PAYLOAD)] });
  });
  after(async () => {
    closeAllSockets();
    await srv.stop();
  });
  afterEach(() => closeAllSockets());

  it('the open packet announces maxPayload', { timeout: 10000 }, async () => {
    const open = await pollingHandshake(srv.url);
    assert.equal(open.maxPayload, MAX_PAYLOAD);
  });

  for (const transports of [['websocket'], ['polling']]) {
    it(`over ${transports[0]}: under the limit works, over it closes only that connection`, { timeout: 15000 }, async () => {
      const offender = await connect(`${srv.url}/test`, { transports });
      const bystander = await connect(`${srv.url}/test`, { transports });
      // Well under the limit with the packet framing: accepted.
      const fits = 'f'.repeat(MAX_PAYLOAD / 2);
      assert.equal(await emitWithAck(offender, 'echo', fits), fits);

      const dropped = once(offender, 'disconnect', 5000);
      offender.emit('echo', 'x'.repeat(MAX_PAYLOAD * 5));
      const [reason] = await dropped;
      assert.ok(['transport close', 'transport error'].includes(reason), reason);

      assert.equal(bystander.connected, true);
      assert.equal(await emitWithAck(bystander, 'echo', 'unaffected'), 'unaffected');
      const newcomer = await connect(`${srv.url}/test`, { transports });
      assert.equal(await emitWithAck(newcomer, 'echo', 'welcome'), 'welcome');
    });
  }
});
