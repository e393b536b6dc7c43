import { type EventEmitter, once } from 'node:events';
import { describe, expect, test } from 'vitest';
import { createClient, MemoryOutbox, type MqttError } from '@courier/core';
import { flush, ManualClock } from '@courier/core/testing';
import { ClientEventBus } from '../../src/client/client-events';
import { ScriptedBroker } from './scripted-broker';

function bus() {
  const changed: string[] = [];
  const events = new ClientEventBus((event) => changed.push(event));
  const errors: MqttError[] = [];
  events.on('error', (error) => errors.push(error));
  return { events, errors, changed };
}

describe('the event bus', () => {
  test('a handler that throws stops neither the handlers after it nor the emit, and is reported as ERR_HANDLER', () => {
    const { events, errors } = bus();
    const seen: string[] = [];
    events.on('warning', () => {
      throw new Error('app bug');
    });
    events.on('warning', (warning) => seen.push(warning.message));
    const warning = { message: 'w' } as MqttError;
    expect(() => events.emit('warning', warning)).not.toThrow();
    expect(seen).toEqual(['w']);
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_HANDLER', message: 'a warning handler threw' })]);
    expect((errors[0]!.cause as Error).message).toBe('app bug');
  });

  test('an error handler that throws is not reported again (no loop)', () => {
    const { events, errors } = bus();
    events.on('error', () => {
      throw new Error('bad error handler');
    });
    events.emit('error', { message: 'e' } as MqttError);
    expect(errors).toHaveLength(1);
  });

  test('off removes exactly what on added: the same handler added twice is called once after one off', () => {
    const { events } = bus();
    let calls = 0;
    const handler = () => calls++;
    events.on('end', handler);
    events.on('end', handler);
    events.off('end', handler);
    events.emit('end', undefined);
    expect(calls).toBe(1);
    events.off('end', handler);
    events.emit('end', undefined);
    expect(calls).toBe(1);
    expect(events.count('end')).toBe(0);
  });

  test('once calls its handler for the next event only, and off before it fires removes it', () => {
    const { events } = bus();
    const seen: number[] = [];
    events.once('reconnecting', ({ attempt }) => seen.push(attempt));
    const removed = () => seen.push(-1);
    events.once('reconnecting', removed);
    events.off('reconnecting', removed);
    events.emit('reconnecting', { attempt: 1, delayMs: 0 });
    events.emit('reconnecting', { attempt: 2, delayMs: 0 });
    expect(seen).toEqual([1]);
    expect(events.count('reconnecting')).toBe(0);
  });

  test('a handler removed by another during an emit is still called for that emit, and not after', () => {
    const { events } = bus();
    const seen: string[] = [];
    const second = () => seen.push('second');
    events.on('end', () => {
      seen.push('first');
      events.off('end', second);
    });
    events.on('end', second);
    events.emit('end', undefined);
    events.emit('end', undefined);
    expect(seen).toEqual(['first', 'second', 'first']);
  });

  test('every handler added or removed is announced, a once handler too when it fires', () => {
    const { events, changed } = bus();
    const handler = () => undefined;
    events.on('message', handler);
    events.once('message', handler);
    events.off('message', handler);
    events.emit('message', { topic: 't', payload: new Uint8Array(), qos: 0, retain: false, dup: false, ack: () => Promise.resolve() });
    expect(changed).toEqual(['error', 'message', 'message', 'message', 'message']);
    expect(events.count('message')).toBe(0);
  });
});

describe("the client's events", () => {
  test("Node's events.once(client, 'connect') resolves with the CONNACK's info", async () => {
    const broker = new ScriptedBroker();
    const client = createClient({ transport: broker.transport, clock: new ManualClock(), clientId: 'c1' });
    // Node's types want a whole EventEmitter; at run time on, once and removeListener are enough.
    const [info] = await once(client as unknown as EventEmitter, 'connect');
    expect(info).toMatchObject({ sessionPresent: false, protocolVersion: 5 });
    await client.end();
  });

  test.each([1, 2] as const)('a message handler that throws at QoS %i leaves the ack sent, the outbox write done and the other handlers called', async (qos) => {
    const broker = new ScriptedBroker();
    const outbox = new MemoryOutbox();
    const client = createClient({ transport: broker.transport, clock: new ManualClock(), clientId: 'c1', clean: false, outbox });
    await client.whenConnected();
    const errors: MqttError[] = [];
    client.on('error', (error) => errors.push(error));
    client.on('message', () => {
      throw new Error('app bug');
    });
    const seen: number[] = [];
    client.on('message', (message) => seen.push(message.payload[0]!));
    await flush();
    broker.send({ type: 'publish', topic: 't', payload: Uint8Array.of(7), qos, dup: false, retain: false, packetId: 9 });
    await broker.waitFor((p) => p.type === (qos === 1 ? 'puback' : 'pubrec') && 'packetId' in p && p.packetId === 9);
    expect(seen).toEqual([7]);
    expect(errors).toEqual([expect.objectContaining({ code: 'ERR_HANDLER' })]);
    await client.end({ force: true });
    // The received QoS 2 id was written before PUBREC: a restart still answers its PUBREL, and
    // does not deliver a resent PUBLISH again [MQTT-4.3.3-10].
    const reopened = await outbox.open('c1');
    expect(reopened.restored.incoming).toEqual(qos === 2 ? [9] : []);
    await reopened.close();
  });
});
