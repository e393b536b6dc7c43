// Run by Bun and Deno (e2e/node/runtimes.test.ts): publishes messages 1..count (odd at QoS 1,
// even at QoS 2), at most 20 outstanding, through the chaos proxy at `url`, which cuts and
// stalls the connection; the client reconnects and resends. Prints "finished" once every
// publish() has resolved.
import { connect } from '@courier/node';

const [url, clientId, count] = process.argv.slice(2);
const client = await connect(url, {
  clientId,
  clean: false,
  keepAlive: 5,
  reconnect: { initialDelayMs: 10, maxDelayMs: 100 },
});
let reconnects = 0;
client.on('connect', () => reconnects++);
const outstanding = new Set();
for (let k = 1; k <= Number(count); k++) {
  while (outstanding.size >= 20) await Promise.race(outstanding);
  const done = client.publish('rt/chaos', String(k), { qos: k % 2 === 1 ? 1 : 2 });
  outstanding.add(done);
  void done.finally(() => outstanding.delete(done));
}
await Promise.all(outstanding);
await client.end({ force: true });
console.log(`finished ${reconnects}`);
