import { describe, expect, test } from 'vitest';
import type { Message, MqttError } from '@courier/core';
import { flush } from '@courier/core/testing';
import { ClientEventBus } from '../../src/client/client-events';
import { Delivery } from '../../src/client/delivery';
import { STREAM_HIGH_WATER } from '../../src/client/message-stream';

function setup() {
  const holds: boolean[] = [];
  let delivery: Delivery | undefined;
  const events = new ClientEventBus((event) => {
    if (event === 'message') delivery!.update();
  });
  delivery = new Delivery(events, (held) => holds.push(held));
  const warnings: MqttError[] = [];
  events.on('warning', (warning) => warnings.push(warning));
  return { events, delivery, holds, warnings };
}

const message = (topic: string): Message => ({ topic, payload: Uint8Array.of(1), qos: 1, retain: false, dup: false });

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

  test('a message goes to every handler and to each stream whose filter matches', async () => {
    const { events, delivery } = setup();
    const handled: string[] = [];
    events.on('message', (m) => handled.push(m.topic));
    const sensors = delivery.stream('sensors/+');
    const all = delivery.stream(undefined);
    delivery.deliver(message('sensors/1'));
    delivery.deliver(message('alerts/1'));
    expect(handled).toEqual(['sensors/1', 'alerts/1']);
    expect((await sensors.next()).value.topic).toBe('sensors/1');
    expect((await all.next()).value.topic).toBe('sensors/1');
    expect((await all.next()).value.topic).toBe('alerts/1');
  });

  test('a full stream holds delivery for everyone, warns once, and lets it go when read down to half', async () => {
    const { delivery, holds, warnings } = setup();
    const stream = delivery.stream(undefined);
    await flush();
    for (let i = 0; i < STREAM_HIGH_WATER; i++) delivery.deliver(message(`t/${i}`));
    expect(holds).toEqual([false, true]);
    expect(warnings).toEqual([expect.objectContaining({ code: 'ERR_NO_CONSUMER' })]);
    for (let i = 0; i < STREAM_HIGH_WATER / 2; i++) await stream.next();
    await flush();
    expect(holds).toEqual([false, true, false]);
  });

  test('a stream that returns stops taking messages, and delivery is held when it was the last taker', async () => {
    const { delivery, holds } = setup();
    const stream = delivery.stream(undefined);
    await flush();
    await stream.return!();
    expect(holds).toEqual([false, true]);
    delivery.deliver(message('t'));
    await expect(stream.next()).resolves.toEqual({ value: undefined, done: true });
  });

  test('end() ends every stream, and a stream asked for afterwards is already done', async () => {
    const { delivery } = setup();
    const before = delivery.stream(undefined);
    delivery.deliver(message('kept'));
    delivery.end();
    expect((await before.next()).value.topic).toBe('kept');
    await expect(before.next()).resolves.toEqual({ value: undefined, done: true });
    await expect(delivery.stream(undefined).next()).resolves.toEqual({ value: undefined, done: true });
  });
});
