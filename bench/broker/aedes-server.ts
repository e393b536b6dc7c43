// Aedes 1.2 on a free port of 127.0.0.1, for bench/broker.bench.ts: prints
// "listening on mqtt://127.0.0.1:PORT" like courier-broker does, and stops on SIGTERM.
import { Aedes } from 'aedes';
import { serveAedes } from '../../e2e/support/serve-aedes';

serveAedes(await Aedes.createBroker());
