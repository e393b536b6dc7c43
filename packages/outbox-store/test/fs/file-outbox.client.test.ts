import { truncate } from 'node:fs/promises';
import { createClient, encode, type MqttError, PacketDecoder, type Transport } from '@courier/core';
import { MemoryTransport } from '@courier/core/testing';
import { fileOutbox } from '@courier/outbox-store/fs';
import { expect, test } from 'vitest';
import { tempDir } from './temp-dir';

/** A transport that never gets through: the client stays offline and queues. */
const offline: Transport = { connect: () => new Promise(() => undefined) };

/** A memory transport with a broker that accepts the connection and acknowledges every QoS 1 PUBLISH. */
function ackingBroker(): { transport: MemoryTransport; received: string[] } {
  const transport = new MemoryTransport();
  const received: string[] = [];
  transport.onConnection = (peer) => {
    const decoder = new PacketDecoder({ version: 5 });
    peer.onData = (bytes) => {
      for (const packet of decoder.push(bytes)) {
        if (packet.type === 'connect') peer.send(encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, 5));
        if (packet.type === 'publish' && packet.qos === 1) {
          received.push(new TextDecoder().decode(packet.payload));
          peer.send(encode({ type: 'puback', packetId: packet.packetId!, reasonCode: 0 }, 5));
        }
      }
    };
  };
  return { transport, received };
}

test('what a client accepted at QoS 1 before it ended is delivered by the next client on the same directory', async () => {
  const dir = await tempDir();
  const first = createClient({ transport: offline, clientId: 'meter-7', clean: false, outbox: fileOutbox({ dir }), reconnect: false });
  const publishes = ['one', 'two', 'three'].map((text) => first.publish('meters/7', text, { qos: 1 }));
  const owed = await first.pending();
  expect(owed).toHaveLength(3);
  await first.end({ force: true });
  await Promise.allSettled(publishes);

  const { transport, received } = ackingBroker();
  const second = createClient({ transport, clientId: 'meter-7', clean: false, outbox: fileOutbox({ dir }) });
  expect((await second.pending()).map((entry) => entry.id)).toEqual(owed.map((entry) => entry.id));
  await Promise.all(owed.map((entry) => second.delivered(entry.id)));
  expect(received).toEqual(['one', 'two', 'three']);
  await second.end();

  const outbox = await fileOutbox({ dir }).open('meter-7');
  expect(outbox.restored.outgoing).toEqual([]);
  expect(outbox.restored.nextId).toBeGreaterThan(Math.max(...owed.map((entry) => entry.id)));
  await outbox.close();
});

test('a client on a journal with a torn tail warns with where and how much was dropped, and owes what was kept', async () => {
  const dir = await tempDir();
  const first = createClient({ transport: offline, clientId: 'meter-7', clean: false, outbox: fileOutbox({ dir }), reconnect: false });
  void first.publish('meters/7', 'kept', { qos: 1 });
  await first.pending();
  await first.end({ force: true });
  const probe = await fileOutbox({ dir }).open('meter-7');
  const { journalPath } = probe;
  const intact = probe.stats().journalBytes;
  await probe.close();
  // A second message whose record a crash cut short.
  const second = createClient({ transport: offline, clientId: 'meter-7', clean: false, outbox: fileOutbox({ dir }), reconnect: false });
  void second.publish('meters/7', 'torn', { qos: 1 });
  await second.pending();
  await second.end({ force: true });
  await truncate(journalPath, intact + 5);

  const warnings: MqttError[] = [];
  const third = createClient({ transport: offline, clientId: 'meter-7', clean: false, outbox: fileOutbox({ dir }), reconnect: false });
  third.on('warning', (warning) => warnings.push(warning));
  const owed = await third.pending();
  expect(owed).toHaveLength(1);
  expect(warnings).toEqual([
    expect.objectContaining({ code: 'ERR_OUTBOX', message: expect.stringContaining(`5 unreadable bytes at byte ${intact} of ${journalPath}`) }),
  ]);
  await third.end({ force: true });
});
