'use strict';
// Starts the real cz-messenger binary for a test: its own loopback port and temp data dir.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ManagedProcess } = require('./process');
const { freePort } = require('./util');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const LISTENING = /listening on http:\/\/(\[[^\]]+\]|[^\s:/]+):(\d+)/;
const PORT_RETRIES = 3;

const TEST_SERVER = 'cz-messenger-test-server';

// The production binary, or for a test that passes --test-namespaces the test server (the same
// server plus the echo namespaces; built with the tests, tests/test_server/): CZ_TEST_BINARY,
// else the test server beside CZ_BINARY (build-asan/cz-messenger -> build-asan/<TEST_SERVER>).
// A relative path is taken from the current directory (the server runs in its temp dir).
function serverBinary(explicit, args) {
  const production = process.env.CZ_BINARY || path.join(REPO_ROOT, 'build', 'cz-messenger');
  const wantsTestServer = args.includes('--test-namespaces');
  const binary = path.resolve(
    explicit ||
      (wantsTestServer
        ? process.env.CZ_TEST_BINARY || path.join(path.dirname(production), TEST_SERVER)
        : production),
  );
  try {
    fs.accessSync(binary, fs.constants.X_OK);
  } catch {
    const variable = wantsTestServer && !explicit ? 'CZ_TEST_BINARY' : 'CZ_BINARY';
    throw new Error(
      `server binary not found or not executable: ${binary} ` +
        `(build it with scripts/build.sh, or point ${variable} at one)`,
    );
  }
  return binary;
}

function defaultReadyTimeout() {
  return Number(process.env.CZ_E2E_READY_TIMEOUT_MS) || 15000;
}

class Server {
  constructor({ binary, args = [], store, env = {}, readyTimeoutMs }) {
    this.binary = serverBinary(binary, args);
    this.extraArgs = args;
    this.store = store;
    this.env = env;
    this.readyTimeoutMs = readyTimeoutMs || defaultReadyTimeout();
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cz-e2e-'));
    this.host = '127.0.0.1';
    this.port = undefined;
    this.proc = null;
    this.previousOutput = '';
    this.killedOnPurpose = false;
    this.stopped = false;
  }

  get url() {
    return `http://${this.host}:${this.port}`;
  }

  get pid() {
    return this.proc ? this.proc.pid : undefined;
  }

  // The test may choose --host/--port itself; otherwise the harness does.
  commandArgs() {
    const own = (flag) => this.extraArgs.some((a) => a === flag || a.startsWith(`${flag}=`));
    const args = [];
    if (!own('--host')) args.push('--host', this.host);
    if (!own('--port')) args.push('--port', String(this.port));
    if (!own('--store')) {
      if (this.store === 'sqlite') args.push('--store', `sqlite:${path.join(this.dataDir, 'cz.db')}`);
      else if (typeof this.store === 'string') args.push('--store', this.store);
    }
    return [...args, ...this.extraArgs];
  }

  async spawnOnce() {
    if (this.proc) this.previousOutput += this.proc.output();
    this.killedOnPurpose = false;
    this.proc = new ManagedProcess('cz-messenger', this.binary, this.commandArgs(), {
      spawnOptions: {
        // Relative paths the server may use by default (./data) land in the temp dir.
        cwd: this.dataDir,
        env: { ...process.env, ...this.env },
      },
    });
    const match = await this.proc.start(LISTENING, this.readyTimeoutMs);
    this.port = Number(match[2]);
  }

  // First start: a free port picked here; another process may grab it between the probe and the
  // server's bind, so an "in use" failure is retried with a new port.
  async start() {
    const portChosenHere = this.port === undefined;
    for (let attempt = 1; ; attempt++) {
      if (portChosenHere) this.port = await freePort();
      try {
        await this.spawnOnce();
        return this;
      } catch (err) {
        const busy = /in use|EADDRINUSE/i.test(err.output || '');
        if (!(portChosenHere && busy && attempt < PORT_RETRIES)) throw err;
      }
    }
  }

  output() {
    return this.previousOutput + (this.proc ? this.proc.output() : '');
  }

  failure(message) {
    return new Error(`${message}\n--- server output:\n${this.output()}--- end of server output`);
  }

  // Sends `signal` (SIGTERM: graceful) and waits for the exit; checks the exit code unless
  // expectExitCode is null. A server that had died by itself is reported, not silently accepted.
  async terminate({ signal = 'SIGTERM', timeoutMs = 10000, expectExitCode = 0 } = {}) {
    const proc = this.proc;
    if (!proc) return null;
    if (!proc.running) {
      const info = proc.exitInfo;
      if (!this.killedOnPurpose && expectExitCode !== null) {
        throw this.failure(
          `cz-messenger had already exited by itself (code ${info.code}, signal ${info.signal})`,
        );
      }
      return info;
    }
    proc.signal(signal);
    let info;
    try {
      info = await proc.waitExit(timeoutMs);
    } catch (err) {
      proc.killNow();
      await proc.waitExit(5000).catch(() => {});
      throw this.failure(`${err.message} after ${signal}; killed it`);
    }
    if (expectExitCode !== null && info.code !== expectExitCode) {
      throw this.failure(
        `cz-messenger exited with code ${info.code} (signal ${info.signal}) after ${signal}, ` +
          `expected ${expectExitCode}`,
      );
    }
    return info;
  }

  removeDataDir() {
    if (process.env.CZ_E2E_KEEP_DATA) return;
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  // Stops the server for good: exit code checked (0 by default), temp dir removed.
  async stop(options = {}) {
    if (this.stopped) return null;
    this.stopped = true;
    try {
      return await this.terminate(options);
    } finally {
      this.removeDataDir();
    }
  }

  // Stops gracefully (unless it is already down after kill()) and starts again on the same port
  // with the same data.
  async restart(options = {}) {
    if (this.stopped) throw new Error('restart() after stop()');
    await this.terminate(options);
    await this.spawnOnce();
    return this;
  }

  // Sends a signal without the graceful checks (e.g. SIGKILL to simulate a crash). Resolves with
  // {code, signal} once the process has exited.
  async kill(signal = 'SIGKILL', timeoutMs = 10000) {
    if (!this.proc || !this.proc.running) return this.proc ? this.proc.exitInfo : null;
    this.killedOnPurpose = true;
    this.proc.signal(signal);
    return this.proc.waitExit(timeoutMs);
  }

  // Used by the harness at the end of a test file for servers a test did not stop.
  async forceStop() {
    if (this.stopped) return;
    this.stopped = true;
    if (this.proc && this.proc.running) {
      this.proc.killNow();
      await this.proc.waitExit(5000).catch(() => {});
    }
    this.removeDataDir();
  }
}

// options: {args: [...], store: 'sqlite' | '<store url>' | undefined, env: {...},
//           binary, readyTimeoutMs}; args with '--test-namespaces' start the test server.
async function startServer(options = {}) {
  const server = new Server(options);
  try {
    return await server.start();
  } catch (err) {
    server.removeDataDir();
    throw err;
  }
}

module.exports = { startServer, Server, REPO_ROOT };
