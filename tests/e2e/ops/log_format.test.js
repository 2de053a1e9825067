'use strict';
// --log-format json: every line the server writes is one JSON object with time, level and
// message (the "listening" line included), from start to exit.
const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { emitWithAck, closeAllSockets, httpRequest } = require('../lib/harness');
const { startMessenger, user, createRoom, send, messagePayload } = require('../messenger/helpers');

function lines(output) {
  return output.split('\n').filter((line) => line.length > 0);
}

describe('--log-format', () => {
  it('json: every line of a server run is a JSON object', { timeout: 30000 }, async () => {
    // Debug level: the refusals below are logged too, with the client's text in them.
    const srv = await startMessenger(['--log-format', 'json', '--log-level', 'debug']);
    const buyer = await user(srv, 'b1');
    await createRoom(buyer, 'b1', 's1');
    await send(buyer, 'b1', 's1', 'hello');
    const refused = await emitWithAck(buyer, 'new_message', messagePayload('b1', 's1', 'x', { type: 'NOPE"\n' }));
    assert.equal(refused.error.code, 'UNKNOWN_MESSAGE_TYPE');
    await httpRequest(`${srv.url}/v1/rooms`);  // a REST refusal (no token)
    closeAllSockets();
    const output = () => srv.output();
    await srv.restart();  // the shutdown's lines, and a second start
    await srv.stop();

    const all = lines(output());
    assert.ok(all.length >= 6, `too few lines:\n${output()}`);
    const levels = new Set();
    for (const line of all) {
      let entry;
      assert.doesNotThrow(() => { entry = JSON.parse(line); }, `not JSON: ${line}`);
      assert.equal(typeof entry, 'object');
      assert.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, line);
      assert.equal(typeof entry.level, 'string', line);
      assert.equal(typeof entry.message, 'string', line);
      assert.ok(Number.isInteger(entry.thread), line);
      levels.add(entry.level);
    }
    const messages = all.map((line) => JSON.parse(line));
    assert.equal(messages.filter((m) => /listening on http:/.test(m.message)).length, 2);
    assert.ok(messages.some((m) => m.message === 'stopped'));
    assert.ok(messages.some((m) => m.component === 'shutdown'), 'the shutdown is logged');
    assert.ok(messages.some((m) => m.level === 'debug' && /refused/.test(m.message)));
    assert.ok(levels.has('info') && levels.has('debug'), [...levels].join(','));
  });

  it('text is the default: plain lines', { timeout: 20000 }, async () => {
    const srv = await startMessenger();
    await srv.stop();
    const first = lines(srv.output())[0];
    assert.throws(() => JSON.parse(first), `the default is not JSON: ${first}`);
  });
});
