'use strict';
// The e2e harness: everything a test file needs, from one require.
//
//   const { startServer, connect, waitFor, emitWithAck } = require('../lib/harness');
//   const srv = await startServer({ args: ['--test-namespaces'], store: 'sqlite' });
//   const socket = await connect(`${srv.url}/test`);
//   ...
//   await srv.stop(); // SIGTERM, asserts exit code 0, removes srv.dataDir
//
// Servers and client sockets a test leaves behind are cleaned up when its file ends, and every
// child process is killed when the test process exits, whatever happened.
const client = require('./client');
const raw = require('./raw');
const server = require('./server');
const redis = require('./redis');
const postgres = require('./postgres');
const { resolveStore } = require('./store');
const util = require('./util');

const liveServers = new Set();
const liveServices = new Set();

async function startServer(options = {}) {
  // store: 'postgres' (and 'sqlite' under CZ_E2E_STORE=postgres) gets a database; see store.js.
  const srv = await server.startServer(await resolveStore(options, startPostgres));
  liveServers.add(srv);
  return srv;
}

async function startRedis(options) {
  const service = await redis.startRedis(options);
  liveServices.add(service);
  return service;
}

async function startPostgres(options) {
  const service = await postgres.startPostgres(options);
  liveServices.add(service);
  return service;
}

async function cleanupAfterFile() {
  client.closeAllSockets();
  const servers = [...liveServers].map((srv) => srv.forceStop());
  const services = [...liveServices].map((s) => s.stop().catch(() => {}));
  liveServers.clear();
  liveServices.clear();
  await Promise.all([...servers, ...services]);
}

if (util.underTestRunner()) {
  // A root-level `after` runs once all tests of this file are done. (Older runners without
  // root-level hooks still kill every child process at exit.)
  try {
    require('node:test').after(cleanupAfterFile);
  } catch {
    // not supported here
  }
}

module.exports = {
  startServer,
  startRedis,
  startPostgres,
  REPO_ROOT: server.REPO_ROOT,
  ...client,
  ...raw,
  sleep: util.sleep,
  freePort: util.freePort,
  withTimeout: util.withTimeout,
  cleanupAfterFile,
};
