// Run by Bun and Deno (e2e/node/runtimes.test.ts), importing the built @courier/node as an app
// would: the nine publish x subscribe QoS combinations over TCP and WebSocket at 3.1.1 and 5.0.
// Prints one line per combination: "<transport> <version> <published><subscribed> <received QoS
// of each message, comma-separated>", then "finished".
import { connect } from '@courier/node';

const [tcpUrl, wsUrl] = process.argv.slice(2);
const MESSAGES = 5;

for (const [transport, url] of [['tcp', tcpUrl], ['ws', wsUrl]]) {
  for (const protocolVersion of [4, 5]) {
    const tag = `${transport}-${protocolVersion}`;
    const subscriber = await connect(url, { clientId: `rt-sub-${tag}`, protocolVersion });
    const publisher = await connect(url, { clientId: `rt-pub-${tag}`, protocolVersion });
    const received = new Map();
    subscriber.on('message', ({ topic, qos }) => received.set(topic, [...(received.get(topic) ?? []), qos]));
    for (const published of [0, 1, 2]) {
      for (const subscribed of [0, 1, 2]) {
        const topic = `rt/${tag}/${published}${subscribed}`;
        await subscriber.subscribe(topic, { qos: subscribed });
        await Promise.all(Array.from({ length: MESSAGES }, (_, i) => publisher.publish(topic, String(i), { qos: published })));
        const deadline = Date.now() + 5_000;
        while ((received.get(topic)?.length ?? 0) < MESSAGES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        // A moment more, so that a duplicate would be seen.
        await new Promise((r) => setTimeout(r, 20));
        console.log(`${transport} ${protocolVersion} ${published}${subscribed} ${(received.get(topic) ?? []).join(',')}`);
      }
    }
    await Promise.all([subscriber.end(), publisher.end()]);
  }
}
console.log('finished');
