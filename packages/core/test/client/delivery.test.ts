import { describe, expect, test } from 'vitest';
import type { Message, MqttError } from '@courier/core';
import type { ReceivedMessage } from '../../src/session/session-types';
import { flush } from '@courier/core/testing';
import { ClientEventBus } from '../../src/client/client-events';
import { Delivery } from '../../src/client/delivery';

function setup(manualAcks = false) {
  const holds: boolean[] = [];
  const acknowledged: number[] = [];
  let delivery: Delivery | undefined;
  const events = new ClientEventBus((event) => {
    if (event === 'message') delivery!.update();
  });
  delivery = new Delivery(events, { hold: (held) => holds.push(held), acknowledge: (id) => acknowledged.push(id) }, manualAcks);
  const warnings: MqttError[] = [];
  events.on('warning', (warning) => warnings.push(warning));
  return { events, delivery, holds, acknowledged, warnings };
}

const message = (topic: string, qos: 0 | 1 | 2 = 1): ReceivedMessage => ({ topic, payload: Uint8Array.of(1), qos, retain: false, dup: false });

describe('delivery to the application', () => {
  test('starts held, goes on in a microtask once a message handler is added (never inside on()), and holds again when it is removed', async () => {
    const { events, holds } = setup();
    const handler = () => undefined;
    events.on('message', handler);
    expect(holds).toEqual([]);
    await flush();
    expect(holds).toEqual([false]);
    events.off('message', handler);
    expect(holds).toEqual([false, true]);
  });

  test('a handler added and removed in the same tick lets nothing go', async () => {
    const { events, holds } = setup();
    const handler = () => undefined;
    events.on('message', handler);
    events.off('message', handler);
    await flush();
    expect(holds).toEqual([true]);
  });

  test('a message goes to every handler and to each stream whose filter matches, as data with an ack()', async () => {
    const { events, delivery } = setup();
    const handled: Message[] = [];
    events.on('message', (m) => handled.push(m));
    const sensors = delivery.stream('sensors/+', 1_000);
    const all = delivery.stream(undefined, 1_000);
    delivery.deliver(message('sensors/1'), 1);
    delivery.deliver(message('alerts/1'), 2);
    expect(handled.map((m) => m.topic)).toEqual(['sensors/1', 'alerts/1']);
    expect(handled[0]).toEqual({ topic: 'sensors/1', payload: Uint8Array.of(1), qos: 1, retain: false, dup: false });
    await expect(handled[0]!.ack()).resolves.toBeUndefined();
    expect((await sensors.next()).value.topic).toBe('sensors/1');
    expect((await all.next()).value.topic).toBe('sensors/1');
    expect((await all.next()).value.topic).toBe('alerts/1');
  });

  test('by default a message is acknowledged once its handlers have run, when no stream buffers it', () => {
    const { events, delivery, acknowledged } = setup();
    const order: string[] = [];
    events.on('message', () => order.push(`handler saw ${acknowledged.length} acks`));
    delivery.deliver(message('t'), 7);
    delivery.deliver(message('t', 0), 0);
    expect(order).toEqual(['handler saw 0 acks', 'handler saw 1 acks']);
    expect(acknowledged).toEqual([7]);
  });

  test('by default a message waiting in streams is acknowledged only once every stream has yielded it', async () => {
    const { delivery, acknowledged } = setup();
    const first = delivery.stream(undefined, 1_000);
    const second = delivery.stream('t', 1_000);
    delivery.deliver(message('t'), 3);
    expect(acknowledged).toEqual([]);
    await first.next();
    expect(acknowledged).toEqual([]);
    await second.next();
    expect(acknowledged).toEqual([3]);
  });

  test('a reader already waiting takes the message at once, so it is acknowledged at once', async () => {
    const { delivery, acknowledged } = setup();
    const stream = delivery.stream(undefined, 1_000);
    const next = stream.next();
    delivery.deliver(message('t'), 4);
    expect(acknowledged).toEqual([4]);
    expect((await next).value.topic).toBe('t');
  });

  test('a stream that returns drops what it buffered, which no longer holds the acks back', async () => {
    const { delivery, acknowledged } = setup();
    const stream = delivery.stream(undefined, 1_000);
    delivery.deliver(message('a'), 1);
    delivery.deliver(message('b'), 2);
    await stream.return!();
    expect(acknowledged).toEqual([1, 2]);
  });

  test('with manualAcks nothing is acknowledged until ack(), which settles when the ack is sent; twice is harmless', async () => {
    const { events, delivery, acknowledged } = setup(true);
    const handled: Message[] = [];
    events.on('message', (m) => handled.push(m));
    delivery.deliver(message('t'), 5);
    delivery.deliver(message('t', 0), 0);
    expect(acknowledged).toEqual([]);
    let settled = false;
    const acked = handled[0]!.ack().then(() => (settled = true));
    const again = handled[0]!.ack();
    await flush();
    expect(acknowledged).toEqual([5]);
    expect(settled).toBe(false);
    delivery.ackSent(5);
    await acked;
    await again;
    await expect(handled[1]!.ack()).resolves.toBeUndefined();
  });

  test('ending settles the ack() calls still waiting: their messages stay with the broker', async () => {
    const { events, delivery } = setup(true);
    const handled: Message[] = [];
    events.on('message', (m) => handled.push(m));
    delivery.deliver(message('t'), 9);
    const acked = handled[0]!.ack();
    delivery.end();
    await expect(acked).resolves.toBeUndefined();
  });

  test('a full stream holds delivery for everyone, warns once, and lets it go when read down to half', async () => {
    const { delivery, holds, warnings } = setup();
    const stream = delivery.stream(undefined, 10);
    await flush();
    for (let i = 1; i <= 10; i++) delivery.deliver(message(`t/${i}`), i);
    expect(holds).toEqual([false, true]);
    expect(warnings).toEqual([expect.objectContaining({ code: 'ERR_NO_CONSUMER' })]);
    for (let i = 0; i < 5; i++) await stream.next();
    await flush();
    expect(holds).toEqual([false, true, false]);
  });

  test('a stream that returns stops taking messages, and delivery is held when it was the last taker', async () => {
    const { delivery, holds } = setup();
    const stream = delivery.stream(undefined, 1_000);
    await flush();
    await stream.return!();
    expect(holds).toEqual([false, true]);
    delivery.deliver(message('t'), 1);
    await expect(stream.next()).resolves.toEqual({ value: undefined, done: true });
  });

  test('end() ends every stream, and a stream asked for afterwards is already done', async () => {
    const { delivery } = setup();
    const before = delivery.stream(undefined, 1_000);
    delivery.deliver(message('kept'), 1);
    delivery.end();
    expect((await before.next()).value.topic).toBe('kept');
    await expect(before.next()).resolves.toEqual({ value: undefined, done: true });
    await expect(delivery.stream(undefined, 1_000).next()).resolves.toEqual({ value: undefined, done: true });
  });
});
