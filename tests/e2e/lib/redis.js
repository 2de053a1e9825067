'use strict';
// A throwaway redis-server on a free loopback port, no persistence, data in a temp dir.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ManagedProcess } = require('./process');
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
    let proc = redisProcess(binary, port, dir);
    try {
      await proc.start(READY, readyTimeoutMs);
    } catch (err) {
      if (attempt < PORT_RETRIES && /in use/i.test(err.output || '')) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    let stopped = false;
    let previousOutput = '';
    const halt = async () => {
      if (!proc.running) return;
      proc.signal('SIGTERM');
      await proc.waitExit(10000).catch(async (e) => {
        proc.killNow();
        await proc.waitExit(5000).catch(() => {});
        throw e;
      });
    };
    const resume = async () => {
      if (stopped) throw new Error('resume() after stop()');
      if (proc.running) return;
      previousOutput += proc.output();
      proc = redisProcess(binary, port, dir);
      await proc.start(READY, readyTimeoutMs);
    };
    return {
      host: '127.0.0.1',
      port,
      url: `redis://127.0.0.1:${port}`,
      output: () => previousOutput + proc.output(),
      halt,
      resume,
      async restart() {
        await halt();
        await resume();
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await halt();
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  }
}

module.exports = { startRedis };
