'use strict';
// A child process the tests depend on (server, redis-server, postgres): spawned, its output
// captured, readiness detected from a log line, and killed when the test process exits whatever
// happened to the tests.
const { spawn } = require('node:child_process');

const MAX_OUTPUT_CHARS = 4 * 1024 * 1024;
const live = new Set();

function killAllLive() {
  for (const proc of live) proc.killNow();
}
process.on('exit', killAllLive);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(sig, () => {
    killAllLive();
    process.kill(process.pid, sig); // the default action, now that the handler is gone
  });
}

class ManagedProcess {
  // emergencySignal: what `killNow` sends at process exit (postgres wants SIGQUIT so that its
  // backends go down with it).
  constructor(name, command, args, { spawnOptions = {}, emergencySignal = 'SIGKILL' } = {}) {
    this.name = name;
    this.command = command;
    this.args = args;
    this.spawnOptions = spawnOptions;
    this.emergencySignal = emergencySignal;
    this.child = null;
    this.exitInfo = null;
    this.chunks = [];
    this.chunkChars = 0;
    this.exited = null;
    this.verbose = Boolean(process.env.CZ_E2E_VERBOSE);
  }

  get running() {
    return this.child !== null && this.exitInfo === null;
  }

  get pid() {
    return this.child ? this.child.pid : undefined;
  }

  commandLine() {
    return [this.command, ...this.args].map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
  }

  output() {
    return this.chunks.join('');
  }

  record(text) {
    this.chunks.push(text);
    this.chunkChars += text.length;
    while (this.chunkChars > MAX_OUTPUT_CHARS && this.chunks.length > 1) {
      this.chunkChars -= this.chunks.shift().length;
    }
    if (this.verbose) process.stderr.write(text.replace(/^(?=.)/gm, `[${this.name}] `));
  }

  // Spawns the process and resolves with the match of `readyPattern` in its output (stdout and
  // stderr together). Rejects with the captured output if it exits first or takes too long.
  start(readyPattern, timeoutMs) {
    this.exitInfo = null;
    const child = spawn(this.command, this.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...this.spawnOptions,
    });
    this.child = child;
    live.add(this);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        live.delete(this);
        resolve(this.exitInfo);
      });
    });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');

    return new Promise((resolve, reject) => {
      let seen = '';
      let settled = false;
      const finish = (err, match) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stderr.off('data', onData);
        if (err) reject(err);
        else resolve(match);
      };
      const onData = (text) => {
        seen += text;
        const match = seen.match(readyPattern);
        if (match) finish(null, match);
      };
      const fail = (why) => {
        if (settled) return;
        this.killNow();
        const err = new Error(
          `${this.name} ${why}\n--- command: ${this.commandLine()}\n--- output:\n${this.output()}--- end of output`,
        );
        err.output = this.output();
        finish(err);
      };
      child.stdout.on('data', (t) => this.record(t));
      child.stderr.on('data', (t) => this.record(t));
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('error', (e) => fail(`could not be started: ${e.message}`));
      child.once('exit', (code, signal) =>
        // Let the last output chunks arrive before reporting.
        setImmediate(() => fail(`exited (code ${code}, signal ${signal}) before it was ready`)),
      );
      const timer = setTimeout(
        () => fail(`was not ready within ${timeoutMs} ms (waiting for ${readyPattern})`),
        timeoutMs,
      );
    });
  }

  signal(sig) {
    if (this.running) this.child.kill(sig);
  }

  // Resolves with {code, signal} once the process has exited; rejects after timeoutMs.
  waitExit(timeoutMs) {
    if (!this.child) return Promise.resolve(null);
    if (this.exitInfo) return Promise.resolve(this.exitInfo);
    let timer;
    return Promise.race([
      this.exited,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${this.name} (pid ${this.pid}) did not exit within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
  }

  killNow() {
    if (!this.running) return;
    try {
      this.child.kill(this.emergencySignal);
    } catch {
      // already gone
    }
  }
}

// The life cycle of a service that tests stop and start again on the same port and data (Redis,
// PostgreSQL): `first` is the running process, `spawn()` makes the next one. halt() stops it
// with `stopSignal` (killed when it overstays), resume() starts a new one, restart() is both,
// stop() halts for good and then runs `cleanup`; signal() sends one to the running process.
// output() spans every process.
function restartableService({ first, spawn, ready, readyTimeoutMs, stopSignal, stopTimeoutMs, cleanup }) {
  let proc = first;
  let stopped = false;
  let previousOutput = '';
  const halt = async () => {
    if (!proc.running) return;
    proc.signal(stopSignal);
    await proc.waitExit(stopTimeoutMs).catch(async (e) => {
      proc.killNow();
      await proc.waitExit(5000).catch(() => {});
      throw e;
    });
  };
  const resume = async () => {
    if (stopped) throw new Error('resume() after stop()');
    if (proc.running) return;
    previousOutput += proc.output();
    proc = spawn();
    await proc.start(ready, readyTimeoutMs);
  };
  return {
    output: () => previousOutput + proc.output(),
    // SIGSTOP / SIGCONT: a service that accepts connections (the kernel does) but answers nothing.
    signal: (sig) => proc.signal(sig),
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
        cleanup();
      }
    },
  };
}

module.exports = { ManagedProcess, restartableService };
