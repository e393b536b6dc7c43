import { describe, expect, it } from 'vitest';
import type { Delivery } from '../src/message';
import { createSessionState, enqueue } from '../src/session-state';

function delivery(expiresAt: number | undefined): Delivery {
  const message = { topic: 't', payload: new Uint8Array(0), qos: 1, retain: false, properties: undefined, expiresAt, publisherId: 'p' } as const;
  return { message, qos: 1, retain: false, subscriptionIdentifiers: undefined };
}

describe('enqueue', () => {
  it('[MQTT-3.3.2-5] makes room in a full queue by dropping expired messages', () => {
    const state = createSessionState('c', 0);
    expect(enqueue(state, delivery(500), 2, 0)).toBe(true);
    expect(enqueue(state, delivery(undefined), 2, 0)).toBe(true);
    expect(enqueue(state, delivery(undefined), 2, 600)).toBe(true);
    expect(state.queue.map((d) => d.message.expiresAt)).toEqual([undefined, undefined]);
  });

  it('drops a new message when the queue is full of live ones', () => {
    const state = createSessionState('c', 0);
    enqueue(state, delivery(undefined), 1, 0);
    expect(enqueue(state, delivery(undefined), 1, 0)).toBe(false);
    expect(state.queue).toHaveLength(1);
  });

  it('searches a full queue for expired messages at most once a second, not for every message', () => {
    const state = createSessionState('c', 0);
    enqueue(state, delivery(5), 1, 0);
    expect(enqueue(state, delivery(undefined), 1, 1)).toBe(false); // searched: nothing expired yet
    expect(enqueue(state, delivery(undefined), 1, 10)).toBe(false); // expired since, not searched again
    expect(enqueue(state, delivery(undefined), 1, 1001)).toBe(true); // a second later: searched
  });
});
