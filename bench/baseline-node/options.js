'use strict';
// Same flag names and CZ_* environment equivalents as build/cz-messenger, for the flags the
// baseline understands (PORT is accepted too, as the seed did).

const FLAGS = {
  '--host': ['host', String],
  '--port': ['port', Number],
  '--jwt-secret': ['jwtSecret', String],
  '--ping-interval': ['pingInterval', Number],
  '--ping-timeout': ['pingTimeout', Number],
  '--max-payload': ['maxPayload', Number],
  '--max-message-size': ['maxMessageSize', Number],
  // Fault injection, only to check that the load generator notices loss: every Nth new
  // message is acked and echoed to the sender but not delivered to the receiver.
  '--drop-every': ['dropEvery', Number],
};

function defaults(env) {
  return {
    host: env.CZ_HOST || '127.0.0.1',
    port: Number(env.CZ_PORT || env.PORT || 3000),
    jwtSecret: env.CZ_JWT_SECRET || '',
    pingInterval: Number(env.CZ_PING_INTERVAL || 25000),
    pingTimeout: Number(env.CZ_PING_TIMEOUT || 20000),
    maxPayload: Number(env.CZ_MAX_PAYLOAD || 1000000),
    maxMessageSize: Number(env.CZ_MAX_MESSAGE_SIZE || 4096),
    dropEvery: 0,
  };
}

function fail(message) {
  console.error(`baseline-node: ${message}`);
  process.exit(2);
}

function parseOptions(argv, env) {
  const opts = defaults(env);
  for (let i = 0; i < argv.length; i++) {
    let [flag, value] = argv[i].split(/=(.*)/s);
    if (flag === '--help' || flag === '-h') {
      console.log(`usage: node server.js [${Object.keys(FLAGS).join(' N] [')} N]`);
      process.exit(0);
    }
    const spec = FLAGS[flag];
    if (!spec) fail(`unknown flag ${flag}`);
    if (value === undefined) {
      if (i + 1 >= argv.length) fail(`${flag} needs a value`);
      value = argv[++i];
    }
    const [key, convert] = spec;
    opts[key] = convert(value);
    if (convert === Number && !Number.isFinite(opts[key])) fail(`${flag} needs a number`);
  }
  if (!opts.jwtSecret) fail('--jwt-secret (or CZ_JWT_SECRET) is required');
  return opts;
}

module.exports = { parseOptions };
