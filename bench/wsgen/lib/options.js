'use strict';
// What one run of wsgen is told to do: the flags of cz-loadgen (bench/loadgen/options.cpp)
// that the conversation scenarios use, with the same names, defaults and ranges.
const { parseArgs } = require('node:util');

// name: [kind, default, min, max, help]
const SPEC = {
  scenario: ['string', 'pairs', null, null, 'pairs | fanout'],
  label: ['string', '', null, null, 'name of the server under test, carried into the results'],
  host: ['string', '127.0.0.1', null, null, 'server address (loopback)'],
  port: ['int', null, 1, 65535, 'server port (required)'],
  namespace: ['string', '/messenger', null, null, 'Socket.IO namespace'],
  'jwt-secret': ['string', null, null, null, 'HS256 secret the server verifies tokens with (or CZ_JWT_SECRET)'],
  'server-pid': ['int', 0, 0, 2 ** 31 - 1, 'server process to sample CPU time and RSS of'],
  'user-prefix': ['string', '', null, null, 'prefix of the user ids (default: unique per run)'],
  pairs: ['int', 50, 1, 10000, 'pairs: buyer/seller conversations; fanout: senders (default 1)'],
  tabs: ['int', 1, 1, 10000, 'sockets per receiving seller (fanout default 10)'],
  rate: ['number', 1000, 0, 10e6, 'aggregate messages per second; 0 = closed loop'],
  window: ['int', 1, 1, 10000, 'closed loop: messages in flight per sender'],
  duration: ['number', 10, 0.1, 3600, 'seconds of sending'],
  warmup: ['number', 1, 0, 600, 'seconds of unmeasured sending first (JIT warm-up)'],
  grace: ['number', 5, 0, 600, 'seconds to wait for late acks and deliveries'],
  'message-size': ['int', 64, 1, 1000000, 'content bytes per message'],
  threads: ['int', 1, 1, 64, 'worker threads of the generator; conversations split among them'],
  background: ['int', 0, 0, 1000000, 'idle sockets held open meanwhile (cost per message vs connected clients)'],
  'connect-concurrency': ['int', 256, 1, 1000000, 'connects in progress at once'],
  'connect-timeout': ['number', 15, 0.1, 600, 'seconds before a connect counts as failed'],
  'tick-ms': ['number', 1, 0.1, 1000, 'pacing granularity of the sender'],
  strict: ['flag', false, null, null, 'exit 1 when a message is lost, unacked, refused, duplicated or reordered, or a client fails'],
  'json-only': ['flag', false, null, null, 'print only the JSON line'],
  help: ['flag', false, null, null, 'this help'],
};

class UsageError extends Error {}

function usage() {
  const lines = ['usage: node bench/wsgen/wsgen.js --port N --jwt-secret S [options]', ''];
  for (const [name, [kind, def, min, max, help]] of Object.entries(SPEC)) {
    const range = min !== null ? ` [${min}..${max}]` : '';
    const shown = kind === 'flag' || def === null || def === '' ? '' : ` (default ${def})`;
    lines.push(`  --${name}${kind === 'flag' ? '' : ' VALUE'}${range}  ${help}${shown}`);
  }
  return lines.join('\n');
}

function toNumber(name, text, kind, min, max) {
  const v = Number(text);
  if (text === '' || !Number.isFinite(v) || (kind === 'int' && !Number.isInteger(v))) {
    throw new UsageError(`--${name}: ${JSON.stringify(text)} is not ${kind === 'int' ? 'an integer' : 'a number'}`);
  }
  if (v < min || v > max) throw new UsageError(`--${name}: ${v} is not in [${min}, ${max}]`);
  return v;
}

// Returns the options as camelCase keys, or throws UsageError; { help: true } for --help.
function parseOptions(argv, env = process.env) {
  const config = {};
  for (const [name, [kind]] of Object.entries(SPEC)) config[name] = { type: kind === 'flag' ? 'boolean' : 'string' };
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: config, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(err.message);
  }
  if (values.help) return { help: true };
  const o = {};
  for (const [name, [kind, def, min, max]] of Object.entries(SPEC)) {
    const key = name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    const given = values[name];
    if (kind === 'flag') o[key] = Boolean(given);
    else if (given === undefined) o[key] = def;
    else o[key] = kind === 'string' ? given : toNumber(name, given, kind, min, max);
  }
  if (!['pairs', 'fanout'].includes(o.scenario)) {
    throw new UsageError(`--scenario: ${o.scenario} is not one of pairs, fanout (idle and connect-storm: use cz-loadgen)`);
  }
  if (o.port === null) throw new UsageError('--port is required');
  if (o.jwtSecret === null) o.jwtSecret = env.CZ_JWT_SECRET || null;
  if (!o.jwtSecret) throw new UsageError('--jwt-secret (or CZ_JWT_SECRET) is required');
  if (o.scenario === 'fanout' && values.tabs === undefined) o.tabs = 10;
  if (o.scenario === 'fanout' && values.pairs === undefined) o.pairs = 1;
  if (o.threads > o.pairs) throw new UsageError('--threads must not exceed --pairs (each thread drives whole conversations)');
  if (!o.userPrefix) o.userPrefix = `wg${process.pid}x${Math.floor(Date.now() / 1000) % 1000000}-`;
  if (o.userPrefix.includes('.')) throw new UsageError("--user-prefix must not contain '.' (room ids are <buyer>.<seller>)");
  if (!/^127\.|^localhost$|^::1$/.test(o.host)) throw new UsageError('--host must be a loopback address');
  return o;
}

// Thread k's part (as cz-loadgen's share_of): conversations, rate and background sockets in
// proportion, users of its own.
function shareOf(o, k) {
  const n = o.threads;
  const part = (total) => Math.floor(total / n) + (k < total % n ? 1 : 0);
  const s = { ...o, pairs: part(o.pairs), background: part(o.background) };
  s.rate = (o.rate * s.pairs) / o.pairs;
  if (n > 1) s.userPrefix = `${o.userPrefix}t${k}-`;
  return s;
}

module.exports = { parseOptions, shareOf, usage, UsageError };
