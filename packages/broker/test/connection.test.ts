// Bad input from one client: that client is disconnected (5.0: DISCONNECT with the reason code
// first) and logged, and every other client keeps full service. Each test keeps an MQTT.js pair
// exchanging QoS 2 messages before and after the misbehaviour.
import fc from 'fast-check';
import { connect } from 'node:net';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import type { Broker } from '@courier/broker';
import { encode } from '@courier/core';
import { Fixture, inboxOf, logOf, within } from './helpers';

const fixture = new Fixture();

interface Pair {
  check(): Promise<void>;
}

/** An MQTT.js publisher and subscriber; `check()` sends one QoS 2 message through and waits for it. */
async function healthyPair(broker: Broker): Promise<Pair> {
  const subscriber = await fixture.client(broker, { version: 5, clientId: 'healthy-subscriber' });
  const publisher: MqttClient = await fixture.client(broker, { version: 4, clientId: 'healthy-publisher' });
  await subscriber.subscribeAsync('health', { qos: 2 });
  let sent = 0;
  const pair = {
    async check() {
      sent++;
      await publisher.publishAsync('health', `beat ${sent}`, { qos: 2 });
      expect((await inboxOf(subscriber).count(sent))[sent - 1]!.payload).toBe(`beat ${sent}`);
    },
  };
  await pair.check();
  return pair;
}

const connectBytes = (version: 4 | 5, clientId: string): Uint8Array =>
  encode({ type: 'connect', protocolVersion: version, clientId, clean: true, keepAlive: 0 }, version);

describe.each([4, 5] as const)('MQTT version %i', (version) => {
  it('[MQTT-2.1.3-1] closes a client that sends a malformed packet (5.0: DISCONNECT 0x81 first)', async () => {
    const broker = await fixture.broker();
    const pair = await healthyPair(broker);
    const raw = await fixture.rawConnected(broker, version, 'garbler');
    raw.sendBytes([0x63, 0x02, 0x00, 0x01]); // PUBREL with flags 0011 instead of 0010: malformed
    if (version === 5) expect((await raw.next('disconnect')).reasonCode).toBe(0x81);
    await raw.waitClosed();
    await logOf(broker).waitFor(/^garbler disconnected \(.*MalformedPacket\)/);
    await pair.check();
  });

  it('closes a client that sends a packet over maximumPacketSize (5.0: DISCONNECT 0x95 first)', async () => {
    const broker = await fixture.broker({ maximumPacketSize: 1024 });
    const pair = await healthyPair(broker);
    const raw = await fixture.rawConnected(broker, version, 'hoarder');
    raw.send({ type: 'publish', topic: 'big', payload: new Uint8Array(2048), qos: 0, dup: false, retain: false });
    if (version === 5) expect((await raw.next('disconnect')).reasonCode).toBe(0x95);
    await raw.waitClosed();
    await pair.check();
  });

  it('refuses a packet over the limit from its header alone, before the body arrives', async () => {
    const broker = await fixture.broker({ maximumPacketSize: 1024 });
    const raw = await fixture.rawConnected(broker, version, 'announcer');
    raw.sendBytes([0x30, 0xff, 0xff, 0xff, 0x7f]); // a PUBLISH that says it is 256 MB long
    await raw.waitClosed();
  });

  it('closes a client that publishes to a topic with a wildcard (5.0: DISCONNECT 0x90)', async () => {
    const broker = await fixture.broker();
    const pair = await healthyPair(broker);
    const raw = await fixture.rawConnected(broker, version, 'wild');
    // PUBLISH QoS 0 to the topic "#" (5.0 adds an empty property length), payload 0x01.
    raw.sendBytes(version === 5 ? [0x30, 0x05, 0x00, 0x01, 0x23, 0x00, 0x01] : [0x30, 0x04, 0x00, 0x01, 0x23, 0x01]);
    if (version === 5) expect((await raw.next('disconnect')).reasonCode).toBe(0x90);
    await raw.waitClosed();
    await pair.check();
  });

  it('acts on the packets that came before the bad bytes in the same chunk', async () => {
    const broker = await fixture.broker();
    const pair = await healthyPair(broker);
    const subscriber = await fixture.client(broker, { version, clientId: 'witness' });
    await subscriber.subscribeAsync('before', { qos: 0 });
    const raw = await fixture.rawConnected(broker, version, 'mixed');
    const good = encode({ type: 'publish', topic: 'before', payload: new Uint8Array([1]), qos: 0, dup: false, retain: false }, version);
    raw.sendBytes([...good, 0x00, 0x00]);
    expect((await inboxOf(subscriber).next()).topic).toBe('before');
    await raw.waitClosed();
    await pair.check();
  });
});

it('closes a connection that starts with bytes that are not MQTT', async () => {
  const broker = await fixture.broker();
  const pair = await healthyPair(broker);
  const raw = await fixture.raw(broker);
  raw.sendBytes([...Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
  await raw.waitClosed();
  await logOf(broker).waitFor(/refused: /);
  await pair.check();
});

it('survives a client that closes in the middle of a packet', async () => {
  const broker = await fixture.broker();
  const pair = await healthyPair(broker);
  const raw = await fixture.rawConnected(broker, 4, 'quitter');
  raw.sendBytes([0x30, 0x20, 0x00, 0x05, 0x61]);
  raw.destroy();
  await logOf(broker).waitFor(/^quitter disconnected/);
  await pair.check();
});

it('keeps serving everyone while many clients send random bytes, before or after a valid CONNECT', async () => {
  const broker = await fixture.broker({ maximumPacketSize: 4096, connectTimeoutMs: 500 });
  const pair = await healthyPair(broker);
  const samples = fc.sample(fc.tuple(fc.boolean(), fc.constantFrom(4, 5), fc.uint8Array({ minLength: 1, maxLength: 200 })), {
    numRuns: 60,
    seed: 20261124,
  });
  const runs = samples.map(
    ([afterConnect, version, bytes], i) =>
      new Promise<void>((resolve) => {
        const socket = connect(broker.port, '127.0.0.1', () => {
          if (afterConnect) socket.write(connectBytes(version as 4 | 5, `fuzz-${i}`));
          socket.end(bytes);
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve());
        socket.resume();
      }),
  );
  await within(Promise.all(runs), 'every fuzzing connection to close', 10_000);
  await pair.check();
  await fixture.client(broker, { version: 5, clientId: 'newcomer' });
});
