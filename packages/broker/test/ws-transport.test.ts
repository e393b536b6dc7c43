// MQTT over WebSocket (section 6): subprotocol "mqtt", binary messages only.
import { request } from 'node:http';
import { expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { encode } from '@courier/core';
import { Fixture, inboxOf, within } from './helpers';

const fixture = new Fixture();

function open(url: string, protocols: string[]): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols);
  fixture.track({ destroy: () => ws.terminate() });
  return within(
    new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    }),
    'a WebSocket to open',
  );
}

it('selects the subprotocol "mqtt" and carries MQTT in binary messages', async () => {
  const broker = await fixture.broker({ wsPort: 0 });
  const ws = await open(`ws://127.0.0.1:${broker.wsPort}/mqtt`, ['mqtt']);
  expect(ws.protocol).toBe('mqtt');
  const connack = within(new Promise((resolve) => ws.once('message', (data) => resolve([...(data as Buffer)]))), 'CONNACK');
  ws.send(encode({ type: 'connect', protocolVersion: 4, clientId: 'ws', clean: true, keepAlive: 0 }, 4));
  expect(await connack).toEqual([0x20, 0x02, 0x00, 0x00]);
});

it('[MQTT-6.0.0-1] closes a connection that sends a text message', async () => {
  const broker = await fixture.broker({ wsPort: 0 });
  const ws = await open(`ws://127.0.0.1:${broker.wsPort}`, ['mqtt']);
  const closed = within(new Promise((resolve) => ws.once('close', resolve)), 'the WebSocket to close');
  ws.send('not binary');
  await closed;
});

it('answers a plain HTTP request with 426 Upgrade Required', async () => {
  const broker = await fixture.broker({ wsPort: 0 });
  const status = await within(
    new Promise<number | undefined>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: broker.wsPort, path: '/' }, (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      req.on('error', reject);
      req.end();
    }),
    'an HTTP answer',
  );
  expect(status).toBe(426);
});

it('serves WebSocket and TCP clients side by side', async () => {
  const broker = await fixture.broker({ wsPort: 0 });
  const overWs = await fixture.client(broker, { version: 5, transport: 'ws', clientId: 'ws' });
  const overTcp = await fixture.client(broker, { version: 4, transport: 'tcp', clientId: 'tcp' });
  await overWs.subscribeAsync('both', { qos: 2 });
  await overTcp.publishAsync('both', 'across transports', { qos: 2 });
  expect((await inboxOf(overWs).next()).payload).toBe('across transports');
});

it('a CONNACK goes in a message of its own and a message holds 64 KiB at most, so a cut in the resends cannot take the CONNACK with it', async () => {
  const broker = await fixture.broker({ wsPort: 0 });
  const away = await fixture.client(broker, { version: 4, clientId: 'away', clean: false });
  await away.subscribeAsync('queued', { qos: 1 });
  await away.endAsync();
  const publisher = await fixture.client(broker, { version: 4, clientId: 'publisher' });
  const payload = new Uint8Array(4096).fill(7);
  for (let i = 0; i < 40; i++) await publisher.publishAsync('queued', Buffer.from(payload), { qos: 1 });

  const ws = await open(`ws://127.0.0.1:${broker.wsPort}/mqtt`, ['mqtt']);
  const messages: number[][] = [];
  let bytes = 0;
  const all = within(
    new Promise<void>((resolve) =>
      ws.on('message', (data: Buffer) => {
        messages.push([...data.subarray(0, 4)].concat(data.length));
        bytes += data.length;
        if (bytes >= 4 + 40 * 4096) resolve();
      }),
    ),
    'the CONNACK and 40 queued messages',
  );
  ws.send(encode({ type: 'connect', protocolVersion: 4, clientId: 'away', clean: false, keepAlive: 0 }, 4));
  await all;
  // CONNACK, session present, accepted: 4 bytes, alone.
  expect(messages[0]).toEqual([0x20, 0x02, 0x01, 0x00, 4]);
  expect(messages.length).toBeGreaterThan(2);
  for (const message of messages) expect(message.at(-1)).toBeLessThanOrEqual(64 * 1024);
});
