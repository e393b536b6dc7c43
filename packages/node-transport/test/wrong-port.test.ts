// A URL whose scheme does not fit the port: the error says what the port speaks and which URL
// to use, instead of a decode error about flag bits or a bare "socket hang up".
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { afterEach, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { connect } from '@courier/node';

let broker: Broker | undefined;
let server: Server | undefined;
afterEach(async () => {
  await broker?.close();
  server?.close();
  broker = server = undefined;
});

test('mqtt:// at a WebSocket port says the port speaks WebSocket/HTTP and gives the ws:// URL', async () => {
  broker = await createBroker({ port: 0, wsPort: 0 });
  const failure = connect(`mqtt://127.0.0.1:${broker.wsPort}`, { reconnect: false });
  await expect(failure).rejects.toMatchObject({ code: 'ERR_CONNECTION' });
  await expect(failure).rejects.toThrow(
    `127.0.0.1:${broker.wsPort} answered in HTTP ("HTTP/1.1 400 Bad Request"): this port speaks WebSocket/HTTP, not MQTT over TCP. Use ws://127.0.0.1:${broker.wsPort}/mqtt`,
  );
});

test('an HTTP answer split across reads ("HT", then the rest) is still recognised', async () => {
  server = createServer((socket) => {
    socket.once('data', () => {
      socket.write('HT');
      setTimeout(() => socket.end('TP/1.1 404 Not Found\r\n\r\n'), 50);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await expect(connect(`mqtt://127.0.0.1:${port}`, { reconnect: false })).rejects.toThrow('answered in HTTP ("HTTP/1.1 404 Not Found"): this port speaks WebSocket/HTTP');
});

test('ws:// at an MQTT over TCP port says the server hung up on the upgrade and gives the mqtt:// URL', async () => {
  broker = await createBroker({ port: 0 });
  await expect(connect(`ws://127.0.0.1:${broker.port}/mqtt`, { reconnect: false })).rejects.toThrow(
    `ws://127.0.0.1:${broker.port}/mqtt: the server hung up on the WebSocket upgrade (socket hang up): this port does not speak WebSocket. An MQTT over TCP port does this: use mqtt://127.0.0.1:${broker.port} there`,
  );
});
