'use strict';
// A TCP relay on a free loopback port to a server on `targetPort`. dropClientBytes() makes it
// lose what the clients send from then on (read and thrown away, as by a network that drops it),
// while the connections stay open: for tests of what a node does when a command never arrives.
const net = require('node:net');

async function startRelay(targetPort) {
  const sockets = new Set();
  let dropping = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (bytes) => {
      if (!dropping) upstream.write(bytes);
    });
    upstream.on('data', (bytes) => client.write(bytes));
    for (const s of [client, upstream]) {
      s.on('close', close);
      s.on('error', close);
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dropClientBytes() {
      dropping = true;
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

module.exports = { startRelay };
