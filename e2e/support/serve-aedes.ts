import { type AddressInfo, createServer } from 'node:net';
import type { Aedes } from 'aedes';

/**
 * Serves `aedes` over TCP on a free port of 127.0.0.1 and prints
 * "listening on mqtt://127.0.0.1:PORT" like courier-broker does; stops on SIGTERM. For the
 * scripts that run Aedes in a process of its own.
 */
export function serveAedes(aedes: Aedes): void {
  const server = createServer(aedes.handle);
  server.listen(0, '127.0.0.1', () => {
    console.log(`listening on mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  process.on('SIGTERM', () => {
    server.close();
    aedes.close(() => process.exit(0));
  });
}
