// A TCP proxy on a free loopback port in front of a broker: it counts the bytes each way, which
// is what a client costs on the wire, and can cut every connection through it, as a network
// failure would (both sockets destroyed, whatever is in flight lost).
import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

export interface CountingProxy {
  port: number;
  /** Bytes from clients to the broker, and back, since the start (or the last reset). */
  up: number;
  down: number;
  reset(): void;
  /** Called with the bytes each client chunk brings `up` to, after it is forwarded. */
  onUp: ((total: number) => void) | undefined;
  /** Destroys every connection through the proxy; new ones are still accepted. */
  cut(): void;
  close(): Promise<void>;
}

export async function startCountingProxy(brokerPort: number): Promise<CountingProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const broker = createConnection({ host: '127.0.0.1', port: brokerPort });
    const pair: [Socket, Socket] = [client, broker];
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      proxy.up += chunk.length;
      broker.write(chunk);
      proxy.onUp?.(proxy.up);
    });
    broker.on('data', (chunk: Buffer) => {
      proxy.down += chunk.length;
      client.write(chunk);
    });
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      broker.destroy();
    };
    client.on('close', end).on('error', end);
    broker.on('close', end).on('error', end);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const proxy: CountingProxy = {
    port: (server.address() as { port: number }).port,
    up: 0,
    down: 0,
    reset() {
      proxy.up = proxy.down = 0;
    },
    onUp: undefined,
    cut() {
      for (const [client, broker] of pairs) {
        client.destroy();
        broker.destroy();
      }
      pairs.clear();
    },
    close: async () => {
      proxy.cut();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return proxy;
}
