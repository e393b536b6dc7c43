import { describe, expect, test } from 'vitest';
import type { PublishPacket } from '@courier/core';
import { measurePublish } from '../../src/codec/publish';
import { publishes, SessionHarness } from './session-harness';

const LONG = 'plant-7/line-3/cell-12/press-4/hydraulics/pressure/bar/raw-';

/** The topic and alias of each PUBLISH sent since the last take(). */
function wire(h: SessionHarness): [string, number | undefined][] {
  return publishes(h.sent()).map((p) => [p.topic, p.properties?.topicAlias]);
}

describe('automatic topic aliases (autoTopicAliases)', () => {
  test('the first PUBLISH to a topic sets an alias, later ones carry the alias and an empty topic', () => {
    const h = new SessionHarness({ autoTopicAliases: true });
    h.connect({ properties: { topicAliasMaximum: 5 } });
    h.take();
    h.publish(1, 0, `${LONG}a`);
    h.publish(2, 1, `${LONG}a`);
    h.publish(3, 2, `${LONG}b`);
    h.publish(4, 1, `${LONG}b`);
    expect(wire(h)).toEqual([
      [`${LONG}a`, 1],
      ['', 1],
      [`${LONG}b`, 2],
      ['', 2],
    ]);
    // The outbox keeps the full topic: aliases are never persisted.
    expect([...h.outbox.values()].map((r) => r.topic)).toEqual([`${LONG}a`, `${LONG}b`, `${LONG}b`]);
  });

  test("[MQTT-3.3.2-9] stay within the broker's Topic Alias Maximum: when it is used up, the first topics keep theirs and later ones go in full", () => {
    const h = new SessionHarness({ autoTopicAliases: true });
    h.connect({ properties: { topicAliasMaximum: 2 } });
    h.take();
    for (const [id, topic] of ['a', 'b', 'c', 'a', 'c', 'b'].entries()) h.publish(id + 1, 0, topic);
    expect(wire(h)).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', undefined],
      ['', 1],
      ['c', undefined],
      ['', 2],
    ]);
  });

  test('none when the broker allows none (Topic Alias Maximum 0 or absent), none with 3.1.1, none unless asked for', () => {
    for (const [options, properties] of [
      [{ autoTopicAliases: true }, { topicAliasMaximum: 0 }],
      [{ autoTopicAliases: true }, undefined],
      [{ autoTopicAliases: true, protocolVersion: 4 as const }, undefined],
      [{}, { topicAliasMaximum: 10 }],
    ] as const) {
      const h = new SessionHarness(options);
      h.connect(properties === undefined ? {} : { properties });
      h.take();
      h.publish(1, 1, LONG);
      h.publish(2, 1, LONG);
      expect(wire(h)).toEqual([
        [LONG, undefined],
        [LONG, undefined],
      ]);
    }
  });

  test('[MQTT-3.3.2-7] are forgotten with the connection: a resend on the next one carries the full topic, DUP=1', () => {
    const h = new SessionHarness({ autoTopicAliases: true });
    h.connect({ properties: { topicAliasMaximum: 5 } });
    h.publish(1, 1, LONG);
    h.publish(2, 2, LONG);
    h.receive({ type: 'puback', packetId: 1, reasonCode: 0 });
    h.take();
    h.disconnect();
    h.connect({ sessionPresent: true, properties: { topicAliasMaximum: 5 } });
    const resent = publishes(h.sent());
    expect(resent).toEqual([expect.objectContaining({ topic: LONG, packetId: 2, dup: true, properties: { topicAlias: 1 } })]);
    h.publish(3, 1, LONG);
    expect(wire(h)).toEqual([['', 1]]);
  });

  test('a resend to a broker that now allows no aliases carries the full topic alone', () => {
    const h = new SessionHarness({ autoTopicAliases: true });
    h.connect({ properties: { topicAliasMaximum: 5 } });
    h.publish(1, 1, LONG);
    h.publish(2, 1, LONG);
    h.take();
    h.disconnect();
    h.connect({ sessionPresent: true });
    expect(publishes(h.sent()).map((p) => [p.topic, p.dup, p.properties])).toEqual([
      [LONG, true, undefined],
      [LONG, true, undefined],
    ]);
  });

  test('a QoS 0 message queued offline gets its alias when it goes out', () => {
    const h = new SessionHarness({ autoTopicAliases: true });
    h.publish(1, 0, LONG);
    h.publish(2, 0, LONG);
    h.take();
    h.connect({ properties: { topicAliasMaximum: 1 } });
    expect(wire(h)).toEqual([
      [LONG, 1],
      ['', 1],
    ]);
  });

  test("no alias when its 3 bytes would take a message over the broker's Maximum Packet Size", () => {
    const h = new SessionHarness({ autoTopicAliases: true });
    const payload = new Uint8Array(100);
    const exact = measurePublish({ type: 'publish', topic: LONG, payload, qos: 0, dup: false, retain: false }, 5);
    h.connect({ properties: { topicAliasMaximum: 5, maximumPacketSize: exact } });
    h.take();
    h.publish(1, 0, LONG, { payload });
    h.publish(2, 0, LONG, { payload });
    expect(wire(h)).toEqual([
      [LONG, undefined],
      [LONG, undefined],
    ]);
    expect(h.settlements().map((s) => s.error)).toEqual([undefined, undefined]);
  });

  test('sets the alias property beside the properties of the message, which it leaves unchanged', () => {
    const h = new SessionHarness({ autoTopicAliases: true });
    h.connect({ properties: { topicAliasMaximum: 5 } });
    h.take();
    const properties = { contentType: 'text/plain' };
    h.publish(1, 1, LONG, { properties });
    h.publish(2, 1, LONG, { properties });
    expect(publishes(h.sent()).map((p: PublishPacket) => p.properties)).toEqual([
      { contentType: 'text/plain', topicAlias: 1 },
      { contentType: 'text/plain', topicAlias: 1 },
    ]);
    expect(properties).toEqual({ contentType: 'text/plain' });
  });
});

describe("topic aliases set by the application (properties.topicAlias)", () => {
  test("[MQTT-3.3.2-9] one above the broker's Topic Alias Maximum is refused with InvalidArgumentError, not sent", () => {
    const h = new SessionHarness();
    h.connect({ properties: { topicAliasMaximum: 2 } });
    h.take();
    h.publish(1, 1, LONG, { properties: { topicAlias: 3 } });
    h.publish(2, 0, LONG, { properties: { topicAlias: 1 } });
    expect(wire(h)).toEqual([[LONG, 1]]);
    expect(h.settlements()[0]).toMatchObject({ id: 1, error: { code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('Topic Alias Maximum (2)') } });
    expect(h.outbox.size).toBe(0);
  });

  test('[MQTT-3.3.2-9] one queued offline is checked against the broker it finally goes to', () => {
    const h = new SessionHarness();
    h.publish(1, 1, LONG, { properties: { topicAlias: 1 } });
    h.connect();
    expect(wire(h)).toEqual([]);
    expect(h.settlements()[0]).toMatchObject({ id: 1, error: { code: 'ERR_INVALID_ARGUMENT' } });
  });

  test('is refused with autoTopicAliases, which owns the alias space', () => {
    const h = new SessionHarness({ autoTopicAliases: true });
    h.connect({ properties: { topicAliasMaximum: 10 } });
    h.take();
    h.publish(1, 0, LONG, { properties: { topicAlias: 1 } });
    expect(wire(h)).toEqual([]);
    expect(h.settlements()[0]).toMatchObject({ id: 1, error: { code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('autoTopicAliases') } });
  });
});
