// Aedes 1.2 on a free port of 127.0.0.1, for bench/broker.bench.ts: prints
// "listening on mqtt://127.0.0.1:PORT" like courier-broker does, and stops on SIGTERM.
import { type AddressInfo, createServer } from 'node:net';
import { Aedes } from 'aedes';

const aedes = await Aedes.createBroker();
const server = createServer(aedes.handle);
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  server.close();
  aedes.close(() => process.exit(0));
});
