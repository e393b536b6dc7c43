// A Cloudflare Worker, run by workerd (e2e/node/runtimes-workerd.test.ts) and bundled by the test
// from the built @courier/browser as wrangler would bundle it. Each request connects over the
// Worker's outgoing WebSocket (`new WebSocket(url)`) to the broker named in `?broker=` with
// `clean: false` (no IndexedDB here: a memory outbox, and a warning that says so), subscribes
// at QoS 2, publishes at QoS 1 and at QoS 2 to itself (each awaited: PUBACK, PUBCOMP), publishes
// one more at QoS 1 for the test's own subscriber, and answers with what it saw, as JSON.
import { connectedClient, createClient } from '@courier/browser';

const decode = (payload) => new TextDecoder().decode(payload);

export default {
  async fetch(request) {
    const params = new URL(request.url).searchParams;
    const broker = params.get('broker');
    const clientId = params.get('clientId') ?? 'workerd-1';
    const host = {
      WebSocket: typeof WebSocket,
      Worker: typeof Worker,
      indexedDB: typeof indexedDB,
      TextEncoder: typeof TextEncoder,
      getRandomValues: typeof crypto?.getRandomValues,
    };
    try {
      // clean: false where there is no IndexedDB: the outbox is memory, and a warning says so.
      const client = createClient(broker, { clientId, clean: false });
      const warnings = [];
      client.on('warning', (warning) => warnings.push(warning.message));
      await connectedClient(client);
      const echoes = client.messages('workerd/echo/#');
      const granted = await client.subscribe('workerd/echo/#', { qos: 2 });
      const qos1 = await client.publish('workerd/echo/1', 'one', { qos: 1 });
      const qos2 = await client.publish('workerd/echo/2', 'two', { qos: 2 });
      const received = [];
      for await (const message of echoes) {
        received.push({ topic: message.topic, payload: decode(message.payload), qos: message.qos });
        if (received.length === 2) break;
      }
      const toTest = await client.publish('workerd/out', `from ${clientId}`, { qos: 1 });
      await client.end();
      return Response.json({ host, warnings, granted: granted.granted, qos1, qos2, toTest, received });
    } catch (error) {
      return Response.json({ host, error: { name: error?.name, code: error?.code, message: error?.message } }, { status: 500 });
    }
  },
};
