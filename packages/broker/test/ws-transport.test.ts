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
