'use strict';
// A throwaway redis-server on a free loopback port, no persistence, data in a temp dir.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ManagedProcess, restartableService } = require('./process');
const { freePort } = require('./util');

const READY = /Ready to accept connections/;
const PORT_RETRIES = 3;

function redisProcess(binary, port, dir) {
  return new ManagedProcess('redis-server', binary, [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--daemonize', 'no',
    '--logfile', '',
  ]);
}

// The service also has halt() (stop, keep the port and dir) and resume() (start again on the
// same port), and restart() (both), for outage tests.
async function startRedis({ binary = process.env.CZ_REDIS_SERVER || 'redis-server', readyTimeoutMs = 10000 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cz-redis-'));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = redisProcess(binary, port, dir);
    try {
      await proc.start(READY, readyTimeoutMs);
    } catch (err) {
      if (attempt < PORT_RETRIES && /in use/i.test(err.output || '')) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const service = restartableService({
      first: proc,
      spawn: () => redisProcess(binary, port, dir),
      ready: READY,
      readyTimeoutMs,
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 10000,
      cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
    });
    return { host: '127.0.0.1', port, url: `redis://127.0.0.1:${port}`, ...service };
  }
}

module.exports = { startRedis };
