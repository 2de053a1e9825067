'use strict';
// The harness can start a real PostgreSQL and stop it.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { startPostgres } = require('../lib/harness');

test('startPostgres: a real PostgreSQL answers select 1, and stop() removes it', { timeout: 60000 }, async () => {
  const pg = await startPostgres();
  assert.match(pg.url, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/cz_test$/);
  assert.equal(pg.psql('select 1'), '1');
  assert.equal(pg.psql('select current_database()'), 'cz_test');
  await pg.stop();
  assert.equal(fs.existsSync(pg.socketDir), false, 'temp dir removed');
  assert.throws(() => pg.psql('select 1'), /psql failed/);
});
