// One node of an Aedes 1.2 cluster, run as a child process by aedes-cluster.ts: messages go
// between nodes through Redis pub/sub (mqemitter-redis) and sessions, subscriptions and offline
// messages live in Redis (aedes-persistence-redis), so a persistent session continues on any
// node. Usage: aedes-cluster-node.ts REDIS_PORT BROKER_ID. Prints
// "listening on mqtt://127.0.0.1:PORT" once it listens on a free loopback port.
import { Aedes } from 'aedes';
import persistenceRedis from 'aedes-persistence-redis';
import mqemitterRedis from 'mqemitter-redis';
import { serveAedes } from './serve-aedes';

const [redisPort, id] = process.argv.slice(2);
const redis = { host: '127.0.0.1', port: Number(redisPort) };
serveAedes(
  await Aedes.createBroker({
    id,
    mq: mqemitterRedis(redis),
    // The default delivers at most 1000 offline messages when a session reconnects.
    persistence: persistenceRedis({ ...redis, maxSessionDelivery: 100_000 }),
  }),
);
