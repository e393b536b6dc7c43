import { describe, expect, test } from 'vitest';
import { PacketIds } from '../../src/session/packet-ids';

describe('PacketIds', () => {
  test('hands out 1, 2, 3... and never an id in use', () => {
    const ids = new PacketIds();
    expect([ids.allocate(), ids.allocate(), ids.allocate()]).toEqual([1, 2, 3]);
    expect(ids.reserve(4)).toBe(true);
    expect(ids.allocate()).toBe(5);
    expect(ids.reserve(2)).toBe(false);
  });

  test('wraps around after 65,535 to the ids that were freed', () => {
    const ids = new PacketIds();
    for (let i = 1; i <= 65_535; i++) ids.allocate();
    expect(ids.inUse).toBe(65_535);
    expect(ids.allocate()).toBe(0); // exhausted: the caller waits
    ids.release(40_000);
    ids.release(7);
    expect(ids.allocate()).toBe(7);
    expect(ids.allocate()).toBe(40_000);
    expect(ids.allocate()).toBe(0);
  });

  test('refuses ids outside 1 to 65,535 [MQTT-2.3.1-1]', () => {
    const ids = new PacketIds();
    expect(ids.reserve(0)).toBe(false);
    expect(ids.reserve(65_536)).toBe(false);
  });

  test('releasing a free id changes nothing', () => {
    const ids = new PacketIds();
    ids.allocate();
    ids.release(9);
    expect(ids.inUse).toBe(1);
  });
});
