// UNSUBSCRIBE packets that are malformed, sent byte by byte: the filters are checked as a
// SUBSCRIBE's are [MQTT-4.7.3-1] (4.7.1), and the cases of Mosquitto's
// 13-malformed-unsubscribe-v5 (which expects DISCONNECT 0x81 for each) are here as well. 3.1.1
// has no DISCONNECT from the broker: the connection is closed.
import { describe, expect, it } from 'vitest';
import type { ProtocolVersion } from '@courier/core';
import { Fixture, logOf } from './helpers';

const fixture = new Fixture();

const utf8 = (text: string) => [...new TextEncoder().encode(text)];
const string = (text: string) => [utf8(text).length >> 8, utf8(text).length & 0xff, ...utf8(text)];

/** An UNSUBSCRIBE of one filter: fixed header byte, packet id, (5.0) properties, filter. */
function unsubscribe(version: ProtocolVersion, filter: string, { header = 0xa2, packetId = 1, properties = [0] } = {}): number[] {
  const body = [packetId >> 8, packetId & 0xff, ...(version === 5 ? properties : []), ...string(filter)];
  return [header, body.length, ...body];
}

const badFilters = ['', '#/test/topic', 'a+/b', 'a/#/b', 'a/b+', '$share/g', '$share//a'];

describe.each([5, 4] as const)('MQTT %s', (version) => {
  /** The broker closes the connection, after a DISCONNECT with `reasonCode` at 5.0, and answers nothing. */
  async function expectRefused(bytes: number[], reasonCode = 0x81): Promise<void> {
    const broker = await fixture.broker();
    const raw = await fixture.rawConnected(broker, version, 'unsubscriber');
    raw.sendBytes(bytes);
    if (version === 5) expect(await raw.next('disconnect')).toMatchObject({ reasonCode });
    await raw.waitClosed();
    expect(raw.received.filter((packet) => packet.type === 'unsuback')).toEqual([]);
    await logOf(broker).waitFor(/unsubscriber disconnected/);
  }

  it.each(badFilters)('[MQTT-4.7.3-1] treats UNSUBSCRIBE of the invalid filter %j as malformed', async (filter) => {
    await expectRefused(unsubscribe(version, filter));
  });

  it('[MQTT-3.10.1-1] treats fixed header flags other than 0010 as malformed', async () => {
    await expectRefused(unsubscribe(version, 'test/topic', { header: 0xa0 }));
  });

  it.each([
    ['no packet id', [0xa2, 0x00]],
    [version === 5 ? 'no properties' : 'no filter', [0xa2, 0x02, 0x00, 0x01]],
    ['a filter length cut short', version === 5 ? [0xa2, 0x04, 0x00, 0x01, 0x00, 0x00] : [0xa2, 0x03, 0x00, 0x01, 0x00]],
    // Mosquitto's "empty topic" case: remaining length 5 ends at an empty filter; one byte follows.
    ['an empty filter, then a stray byte', version === 5 ? [0xa2, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00] : [0xa2, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00]],
  ])('treats a truncated UNSUBSCRIBE (%s) as malformed', async (_what, bytes) => {
    await expectRefused(bytes);
  });

  // Mosquitto answers 0x81 here; our codec calls packet id 0 a Protocol Error in every packet
  // type, as the 5.0 definitions read (1.2: data that parses but is not allowed).
  it('[MQTT-2.2.1-3] refuses packet id 0 as a Protocol Error', async () => {
    await expectRefused(unsubscribe(version, 'test/topic', { packetId: 0 }), 0x82);
  });

  it('accepts valid filters, shared ones included, and answers them', async () => {
    const broker = await fixture.broker();
    const raw = await fixture.rawConnected(broker, version, 'unsubscriber');
    for (const filter of ['a/+/c', '#', '$share/g/a/#', '/', 'a//b']) {
      raw.sendBytes(unsubscribe(version, filter, { packetId: 9 }));
      expect(await raw.next('unsuback')).toMatchObject({ packetId: 9 });
    }
  });
});

describe('MQTT 5 only', () => {
  it('treats a property UNSUBSCRIBE may not carry (Session Expiry Interval) as malformed', async () => {
    const broker = await fixture.broker();
    const raw = await fixture.rawConnected(broker, 5, 'unsubscriber');
    raw.sendBytes(unsubscribe(5, 'test/topic', { properties: [5, 0x11, 0, 0, 0, 0] }));
    expect(await raw.next('disconnect')).toMatchObject({ reasonCode: 0x81 });
    await raw.waitClosed();
  });
});
