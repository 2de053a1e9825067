'use strict';
// HAProxy in front of cz-messenger nodes, configured from the shipped sample deploy/haproxy.cfg:
// only the `bind` line, the `server` lines and the `stats socket` path are rewritten (free
// loopback port, the test's nodes, a socket in a temp dir), so what is tested is what ships.
//
//   const lb = await startHaproxy({ nodes: [srv1, srv2, srv3] });   // anything with host + port
//   lb.url                      -> "http://127.0.0.1:PORT"
//   await lb.serverStates()     -> { cz1: 'UP', cz2: 'DOWN', ... } (from the stats socket)
//   await lb.waitForStates({ cz2: 'DOWN' })
//   await lb.sessionTotals()    -> { cz1: 12, ... } sessions HAProxy sent to each node so far
//   await lb.waitIdle()         -> once no session is open to any node and none started lately
//   await lb.stop()
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { ManagedProcess } = require('./process');
const { freePort, sleep } = require('./util');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SAMPLE = path.join(REPO_ROOT, 'deploy', 'haproxy.cfg');
const SERVER_LINE = /^(\s*)server\s+(cz\d+)\s+\S+(.*)$/;
const PORT_RETRIES = 3;

function haproxyBinary() {
  if (process.env.CZ_HAPROXY) return process.env.CZ_HAPROXY;
  for (const candidate of ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return 'haproxy';
}

// The sample with the test's addresses. Throws when the sample no longer has the lines this
// rewrites (the test must not silently run a different configuration).
function renderConfig(sampleText, { port, nodes, statsSocket }) {
  const out = [];
  let binds = 0;
  let sockets = 0;
  let servers = 0;
  let serverIndent = null;
  let serverTail = null;
  for (const line of sampleText.split('\n')) {
    if (/^\s*bind\s/.test(line)) {
      binds++;
      out.push(line.replace(/bind\s+\S+/, `bind 127.0.0.1:${port}`));
    } else if (/^\s*stats socket\s/.test(line)) {
      sockets++;
      out.push(line.replace(/stats socket\s+\S+/, `stats socket ${statsSocket}`));
    } else if (SERVER_LINE.test(line)) {
      const [, indent, , tail] = line.match(SERVER_LINE);
      // The sample's server lines are identical but for name/address/cookie: keep their options.
      servers++;
      serverIndent = indent;
      serverTail = tail.replace(/\bcookie\s+\S+/, '').trimEnd();
      if (servers === 1) out.push('@SERVERS@');
    } else {
      out.push(line);
    }
  }
  if (binds !== 1 || sockets !== 1 || servers < 1) {
    throw new Error(`${SAMPLE} changed shape: ${binds} bind, ${sockets} stats socket, ${servers} server lines`);
  }
  const serverLines = nodes.map(
    (n, i) => `${serverIndent}server cz${i + 1} ${n.host || '127.0.0.1'}:${n.port}${serverTail} cookie cz${i + 1}`,
  );
  return out.join('\n').replace('@SERVERS@', serverLines.join('\n'));
}

// One command on the admin socket; resolves with the whole answer.
function adminCommand(socketPath, command, timeoutMs = 3000) {
  return new Promise((resolve, reject) => {
    const conn = net.createConnection(socketPath);
    let text = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error(`haproxy admin socket: no answer to "${command}" within ${timeoutMs} ms`));
    }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.write(`${command}\n`));
    conn.on('data', (d) => {
      text += d;
    });
    conn.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    conn.on('end', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

async function startHaproxy({ nodes, sample = SAMPLE, readyTimeoutMs = 10000 } = {}) {
  if (!nodes || !nodes.length) throw new Error('startHaproxy: nodes required');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cz-haproxy-'));
  const statsSocket = path.join(dir, 'admin.sock');
  const configPath = path.join(dir, 'haproxy.cfg');
  const sampleText = fs.readFileSync(sample, 'utf8');

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    fs.writeFileSync(configPath, renderConfig(sampleText, { port, nodes, statsSocket }));
    // -db: foreground, no daemon; -V prints the polling mechanism once the listeners are bound.
    const proc = new ManagedProcess('haproxy', haproxyBinary(), ['-V', '-db', '-f', configPath]);
    // `show stat` CSV columns: 1 svname, 4 scur (sessions now), 7 stot (so far), 17 status.
    const serverColumn = async (column) => {
      const csv = await adminCommand(statsSocket, 'show stat');
      const result = {};
      for (const row of csv.split('\n')) {
        const cols = row.split(',');
        if (cols[0] === 'messenger' && /^cz\d+$/.test(cols[1])) result[cols[1]] = column(cols);
      }
      return result;
    };
    const states = () => serverColumn((cols) => cols[17].split(' ')[0]);
    const sessionTotals = () => serverColumn((cols) => Number(cols[7]));
    // Resolves once no request or tunnel is open to any node and none was made for `quietMs`
    // (closed polling clients may still send their last requests a moment later). allowOpen:
    // open requests/tunnels are fine (e.g. the held long-polls of live clients), only new ones count.
    const waitIdle = async ({ quietMs = 300, timeoutMs = 5000, allowOpen = false } = {}) => {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      let quietSince = Date.now();
      for (;;) {
        const now = await serverColumn((cols) => `${allowOpen ? 0 : cols[4]}/${cols[7]}`);
        const text = JSON.stringify(now);
        const open = !allowOpen && Object.values(now).some((v) => !v.startsWith('0/'));
        if (text !== last || open) {
          last = text;
          quietSince = Date.now();
        } else if (Date.now() - quietSince >= quietMs) {
          return;
        }
        if (Date.now() > deadline) throw new Error(`haproxy not idle (current/total sessions): ${text}`);
        await sleep(50);
      }
    };
    const waitForStates = async (wanted, timeoutMs = 10000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (!proc.running) throw new Error(`haproxy exited\n${proc.output()}`);
        let now = {};
        try {
          now = await states();
        } catch {
          // not answering yet
        }
        if (Object.entries(wanted).every(([name, state]) => now[name] === state)) return now;
        if (Date.now() > deadline) {
          throw new Error(`haproxy servers ${JSON.stringify(now)}, wanted ${JSON.stringify(wanted)}\n${proc.output()}`);
        }
        await sleep(100);
      }
    };
    try {
      await proc.start(/Using \w+\(\) as the polling mechanism/, readyTimeoutMs);
      await waitForStates(Object.fromEntries(nodes.map((_, i) => [`cz${i + 1}`, 'UP'])), readyTimeoutMs);
    } catch (err) {
      proc.killNow();
      await proc.waitExit(5000).catch(() => {});
      if (attempt < PORT_RETRIES && /cannot bind|in use/i.test(proc.output())) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }

    let stopped = false;
    return {
      host: '127.0.0.1',
      port,
      url: `http://127.0.0.1:${port}`,
      configPath,
      output: () => proc.output(),
      serverStates: states,
      sessionTotals,
      waitIdle,
      waitForStates,
      admin: (command) => adminCommand(statsSocket, command),
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          proc.signal('SIGUSR1'); // soft stop: stop listening, let connections finish, exit
          await proc.waitExit(3000).catch(async () => {
            proc.killNow();
            await proc.waitExit(5000);
          });
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  }
}

module.exports = { startHaproxy, renderConfig, SAMPLE };
