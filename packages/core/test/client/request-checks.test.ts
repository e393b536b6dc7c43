import { describe, expect, test } from 'vitest';
import { publishRequestOf, subscriptionsOf, unsubscribeFiltersOf } from '../../src/client/request-checks';

const invalid = (message: string) => expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message });

describe('request checks', () => {
  test('a publish request carries the payload as bytes and refuses what encoding would refuse', () => {
    expect(publishRequestOf('t', 'hi', { qos: 1, retain: true }, 5)).toEqual({ topic: 't', payload: new TextEncoder().encode('hi'), qos: 1, retain: true });
    expect(() => publishRequestOf('a/+', 'x', {}, 5)).toThrow(invalid('a topic to publish to cannot contain + or #'));
    expect(() => publishRequestOf('t', 'x', { qos: 3 as never }, 5)).toThrow(invalid('qos must be 0, 1 or 2'));
    expect(() => publishRequestOf('t', 42 as never, {}, 5)).toThrow(invalid('the payload must be a string or a Uint8Array'));
  });

  test('subscriptions: one per filter, with the 5.0 options only where 5.0 is spoken', () => {
    expect(subscriptionsOf(['a', 'b/#'], { qos: 2, noLocal: true }, 5)).toEqual([
      { topicFilter: 'a', qos: 2, noLocal: true },
      { topicFilter: 'b/#', qos: 2, noLocal: true },
    ]);
    expect(() => subscriptionsOf('a', { noLocal: true }, 4)).toThrow(invalid('noLocal, retainAsPublished and retainHandling need MQTT 5.0'));
    expect(() => subscriptionsOf('a', { properties: { subscriptionIdentifier: 1 } }, 4)).toThrow(invalid('MQTT 3.1.1 has no properties (given in SUBSCRIBE)'));
    expect(() => subscriptionsOf([], {}, 5)).toThrow(invalid('subscribe needs at least one topic filter'));
    expect(() => subscriptionsOf('a/#/b', {}, 5)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => subscriptionsOf('a', { retainHandling: 3 as never }, 5)).toThrow(invalid('retainHandling must be 0, 1 or 2'));
  });

  test('unsubscribe filters: at least one, each valid, properties only in 5.0', () => {
    expect(unsubscribeFiltersOf('a/+', {}, 4)).toEqual(['a/+']);
    expect(() => unsubscribeFiltersOf([], {}, 5)).toThrow(invalid('unsubscribe needs at least one topic filter'));
    expect(() => unsubscribeFiltersOf(['ok', 'a#'], {}, 5)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => unsubscribeFiltersOf('a', { properties: { userProperties: [['k', 'v']] } }, 4)).toThrow(invalid('MQTT 3.1.1 has no properties (given in UNSUBSCRIBE)'));
  });
});
