'use strict';
// A throwaway PostgreSQL cluster: initdb into a temp dir, postgres on a free loopback port with
// its unix socket in that dir, trust authentication, durability off (tests only).
// initdb and postgres refuse to run as root: as root they run as the `postgres` OS user, which
// owns the temp dir.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const { ManagedProcess, restartableService } = require('./process');
const { freePort } = require('./util');

const READY = /database system is ready to accept connections/;
const PORT_RETRIES = 3;

// The newest /usr/lib/postgresql/<version>/bin, or CZ_PG_BIN.
function postgresBinDir() {
  if (process.env.CZ_PG_BIN) return process.env.CZ_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    : [];
  if (!versions.length) throw new Error(`no PostgreSQL server binaries under ${root} (install postgresql)`);
  versions.sort((a, b) => Number(b) - Number(a));
  return path.join(root, versions[0], 'bin');
}

// Spawn options that drop to the postgres user when we are root.
function runAsOptions() {
  if (process.getuid() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

function cleanEnv() {
  // Keep the environment small and predictable (no PG* variables leaking in).
  return { PATH: process.env.PATH, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TZ: 'UTC' };
}

function initCluster(binDir, dataDir, runAs) {
  const result = spawnSync(
    path.join(binDir, 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { ...runAs, env: cleanEnv(), cwd: path.dirname(dataDir), encoding: 'utf8', timeout: 60000 },
  );
  if (result.status !== 0) {
    throw new Error(`initdb failed (status ${result.status}, ${result.error || ''}):\n${result.stdout}${result.stderr}`);
  }
}

function postgresProcess(binDir, dataDir, port, dir, runAs) {
  return new ManagedProcess(
    'postgres',
    path.join(binDir, 'postgres'),
    [
      '-D', dataDir,
      '-p', String(port),
      '-h', '127.0.0.1',
      '-k', dir,
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
      '-c', 'max_connections=200',
    ],
    // SIGQUIT: immediate shutdown, backends included, when the test process exits early.
    { spawnOptions: { ...runAs, env: cleanEnv(), cwd: dir }, emergencySignal: 'SIGQUIT' },
  );
}

// The service also has halt() (fast shutdown, data kept), resume() (start again on the same port
// and data dir) and restart() (both), for outage tests.
async function startPostgres({ database = 'cz_test', readyTimeoutMs = 30000 } = {}) {
  const binDir = postgresBinDir();
  const runAs = runAsOptions();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cz-pg-'));
  const dataDir = path.join(dir, 'data');
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    if (runAs.uid !== undefined) fs.chownSync(dir, runAs.uid, runAs.gid);
    initCluster(binDir, dataDir, runAs);
  } catch (err) {
    removeDir();
    throw err;
  }

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = postgresProcess(binDir, dataDir, port, dir, runAs);
    try {
      await proc.start(READY, readyTimeoutMs);
    } catch (err) {
      if (attempt < PORT_RETRIES && /in use/i.test(err.output || '')) continue;
      removeDir();
      throw err;
    }

        const psqlArgs = (db) => ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db,
      '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1'];
    const psql = (sql, db = database) => {
      const result = spawnSync(
        path.join(binDir, 'psql'),
        [...psqlArgs(db), '-c', sql],
        { env: cleanEnv(), encoding: 'utf8', timeout: 30000 },
      );
      if (result.status !== 0) throw new Error(`psql failed: ${result.stderr || result.error}`);
      return result.stdout.trim();
    };

    // SIGINT: fast shutdown (disconnect clients, then exit), data kept.
    const service = restartableService({
      first: proc,
      spawn: () => postgresProcess(binDir, dataDir, port, dir, runAs),
      ready: READY,
      readyTimeoutMs,
      stopSignal: 'SIGINT',
      stopTimeoutMs: 15000,
      cleanup: removeDir,
    });

    try {
      if (database !== 'postgres') psql(`CREATE DATABASE "${database}"`, 'postgres');
    } catch (err) {
      await service.stop().catch(() => {});
      throw err;
    }
    // An interactive psql for statements that must stay open (a transaction holding a lock):
    // send(sql) writes to its stdin; waitFor(re) resolves once its output matches; end() commits
    // nothing by itself: send 'COMMIT;' first, end() closes stdin and waits for the exit.
    const session = (db = database) => {
            const child = spawn(
        path.join(binDir, 'psql'),
        psqlArgs(db),
        { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (d) => { output += d; });
      child.stderr.on('data', (d) => { output += d; });
      const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
      return {
        send: (sql) => child.stdin.write(`${sql}\n`),
        async waitFor(re, timeoutMs = 10000) {
          const deadline = Date.now() + timeoutMs;
          while (!re.test(output)) {
            if (Date.now() > deadline) throw new Error(`psql never printed ${re}:\n${output}`);
            await new Promise((r) => setTimeout(r, 20));
          }
        },
        async end() {
          child.stdin.end();
          const code = await exited;
          if (code !== 0) throw new Error(`psql exited with ${code}:\n${output}`);
        },
      };
    };

    return {
      host: '127.0.0.1',
      port,
      database,
      socketDir: dir,
      url: `postgres://postgres@127.0.0.1:${port}/${database}`,
      psql,
      session,
      ...service,
    };
  }
}

module.exports = { startPostgres };
