'use strict';
// startServer({ store: 'postgres' }): the real binary on a fresh PostgreSQL database, and the
// CZ_E2E_STORE=postgres switch that runs store: 'sqlite' suites on PostgreSQL.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, startPostgres } = require('../lib/harness');
const { resolveStore } = require('../lib/store');

test('store postgres: the server migrates its own database and keeps it across a restart', { timeout: 90000 }, async () => {
  const srv = await startServer({ store: 'postgres' });
  assert.match(srv.store, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/cz_e2e_\d+_\d+$/);
  assert.match(srv.output(), /schema version 2/);
  const other = await startServer({ store: 'postgres' });
  assert.notEqual(other.store, srv.store, 'each server gets its own database');
  await srv.restart();
  assert.match(srv.output(), /0 migration\(s\) applied now/, 'restart finds the schema in place');
  await srv.stop();
  await other.stop();
});

test('CZ_E2E_STORE=postgres turns store: sqlite into PostgreSQL; sqlite-only stays SQLite', { timeout: 60000 }, async () => {
  const saved = process.env.CZ_E2E_STORE;
  try {
    process.env.CZ_E2E_STORE = 'postgres';
    const resolved = await resolveStore({ store: 'sqlite', args: ['--x'] }, startPostgres);
    assert.match(resolved.store, /^postgres:\/\//);
    assert.deepEqual(resolved.args, ['--x']);
    assert.equal((await resolveStore({ store: 'sqlite-only' }, startPostgres)).store, 'sqlite');
    assert.equal((await resolveStore({}, startPostgres)).store, undefined);
    process.env.CZ_E2E_STORE = 'mysql';
    await assert.rejects(resolveStore({ store: 'sqlite' }, startPostgres), /CZ_E2E_STORE/);
    delete process.env.CZ_E2E_STORE;
    assert.equal((await resolveStore({ store: 'sqlite' }, startPostgres)).store, 'sqlite');
  } finally {
    if (saved === undefined) delete process.env.CZ_E2E_STORE;
    else process.env.CZ_E2E_STORE = saved;
  }
});
