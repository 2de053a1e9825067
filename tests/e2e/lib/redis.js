'use strict';
// A throwaway redis-server on a free loopback port, no persistence, data in a temp dir.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ManagedProcess } = require('./process');
const { freePort } = require('./util');

const READY = /Ready to accept connections/;
const PORT_RETRIES = 3;

async function startRedis({ binary = process.env.CZ_REDIS_SERVER || 'redis-server', readyTimeoutMs = 10000 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cz-redis-'));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = new ManagedProcess('redis-server', binary, [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--save', '',
      '--appendonly', 'no',
      '--dir', dir,
      '--daemonize', 'no',
      '--logfile', '',
    ]);
    try {
      await proc.start(READY, readyTimeoutMs);
    } catch (err) {
      if (attempt < PORT_RETRIES && /in use/i.test(err.output || '')) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    let stopped = false;
    return {
      host: '127.0.0.1',
      port,
      url: `redis://127.0.0.1:${port}`,
      output: () => proc.output(),
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          proc.signal('SIGTERM');
          await proc.waitExit(10000).catch(async (e) => {
            proc.killNow();
            await proc.waitExit(5000).catch(() => {});
            throw e;
          });
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  }
}

module.exports = { startRedis };
