'use strict';
// Which store a test server gets.
//
//   startServer({ store: 'postgres' })  -> a fresh database on a PostgreSQL started for this test
//                                          file (one server per file, one database per server)
//   startServer({ store: 'sqlite' })    -> a SQLite file in the server's temp dir, or, with
//                                          CZ_E2E_STORE=postgres in the environment, PostgreSQL as
//                                          above: the same suite then runs against both stores.
//
// A test that needs SQLite itself (e.g. it looks at the file) can ask for store: 'sqlite-only'.
// Restarts keep the database: the resolved URL is what the server is started with each time.

let shared = null; // { service, databases } while this file's PostgreSQL runs

function wanted(store) {
  if (store === 'sqlite-only') return 'sqlite';
  if (store === 'sqlite' && process.env.CZ_E2E_STORE === 'postgres') return 'postgres';
  if (store === 'sqlite' && process.env.CZ_E2E_STORE && process.env.CZ_E2E_STORE !== 'sqlite') {
    throw new Error(`CZ_E2E_STORE must be sqlite or postgres, not ${process.env.CZ_E2E_STORE}`);
  }
  return store;
}

async function sharedPostgres(startPostgres) {
  if (!shared) {
    const service = await startPostgres({ database: 'postgres' });
    const entry = { service, databases: 0 };
    const stop = service.stop;
    service.stop = async () => {
      if (shared === entry) shared = null;
      await stop();
    };
    shared = entry;
  }
  return shared;
}

// Returns the server options with `store` resolved to what the server's --store flag gets.
// `startPostgres` is the harness's (so the service is stopped with the file's other services).
async function resolveStore(options, startPostgres) {
  const store = wanted(options.store);
  if (store !== 'postgres') return { ...options, store };
  const pg = await sharedPostgres(startPostgres);
  const name = `cz_e2e_${process.pid}_${++pg.databases}`;
  pg.service.psql(`CREATE DATABASE ${name}`, 'postgres');
  return {
    ...options,
    store: `postgres://postgres@${pg.service.host}:${pg.service.port}/${name}`,
  };
}

module.exports = { resolveStore };
