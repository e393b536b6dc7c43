import { describe, expect, test } from 'vitest';
import { encode, EncodeError, MqttError, type Packet, type ProtocolVersion } from '@courier/core';

const publish = (overrides: Record<string, unknown> = {}) =>
  ({ type: 'publish', topic: 'a/b', payload: new Uint8Array(1), qos: 1, dup: false, retain: false, packetId: 1, ...overrides }) as Packet;

const connect = (overrides: Record<string, unknown> = {}) =>
  ({ type: 'connect', protocolVersion: 4, clientId: 'c', clean: true, keepAlive: 60, ...overrides }) as Packet;

// [name, version, packet]: each must be refused with an EncodeError and nothing written.
const refusals: [string, ProtocolVersion, Packet][] = [
  ['a string over 65,535 bytes in UTF-8', 4, publish({ topic: 'é'.repeat(32_768) })],
  ['a string with a lone surrogate [MQTT-1.5.4-1]', 4, publish({ topic: 'a\ud800b' })],
  ['a string with U+0000 [MQTT-1.5.4-2]', 4, publish({ topic: 'a\u0000b' })],
  ['a PUBLISH topic with + [MQTT-3.3.2-2]', 4, publish({ topic: 'a/+' })],
  ['a PUBLISH topic with # [MQTT-3.3.2-2]', 5, publish({ topic: '#' })],
  ['an empty PUBLISH topic in 3.1.1', 4, publish({ topic: '' })],
  ['an empty PUBLISH topic without a topic alias in 5.0', 5, publish({ topic: '' })],
  ['a QoS 1 PUBLISH without a packet id', 4, publish({ packetId: undefined })],
  ['packet id 0 [MQTT-2.3.1-1]', 4, publish({ packetId: 0 })],
  ['packet id 65536', 4, publish({ packetId: 65_536 })],
  ['QoS 3', 4, publish({ qos: 3 })],
  ['DUP on a QoS 0 PUBLISH [MQTT-3.3.1-2]', 4, publish({ qos: 0, dup: true })],
  ['a payload that is not a Uint8Array', 4, publish({ payload: 'text' })],
  ['properties in 3.1.1, rather than dropping them', 4, publish({ properties: { messageExpiryInterval: 5 } })],
  ['a property the packet may not carry', 5, publish({ properties: { sessionExpiryInterval: 5 } })],
  ['a property value of the wrong type', 5, publish({ properties: { contentType: 42 } })],
  ['a topic alias of 0 [MQTT-3.3.2-8]', 5, publish({ properties: { topicAlias: 0 } })],
  ['a 0/1 property given as a number', 5, publish({ properties: { payloadFormatIndicator: 1 } })],
  ['a four-byte property above 2^32 - 1', 5, publish({ properties: { messageExpiryInterval: 2 ** 32 } })],
  ['a subscription identifier above 268,435,455', 5, publish({ properties: { subscriptionIdentifiers: [268_435_456] } })],
  ['user properties that are not pairs', 5, publish({ properties: { userProperties: [['only-a-name']] } })],
  ['binary data over 65,535 bytes', 5, publish({ properties: { correlationData: new Uint8Array(65_536) } })],
  ['a 3.1.1 PUBACK with a failure reason code', 4, { type: 'puback', packetId: 1, reasonCode: 0x80 }],
  ['a 5.0 PUBACK with a reason code PUBACK may not use', 5, { type: 'puback', packetId: 1, reasonCode: 0x92 }],
  ['AUTH in 3.1.1', 4, { type: 'auth', reasonCode: 0 }],
  ['a 3.1.1 DISCONNECT with a reason code', 4, { type: 'disconnect', reasonCode: 0x04 }],
  ['SUBSCRIBE with no subscription [MQTT-3.8.3-3]', 4, { type: 'subscribe', packetId: 1, subscriptions: [] }],
  ['an empty topic filter [MQTT-4.7.3-1]', 4, { type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: '', qos: 0 }] }],
  ['5.0 subscription options in 3.1.1', 4, { type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a', qos: 0, noLocal: true }] }],
  ['retain handling 3', 5, { type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a', qos: 0, retainHandling: 3 as 2 }] }],
  ['UNSUBSCRIBE with no topic filter [MQTT-3.10.3-2]', 4, { type: 'unsubscribe', packetId: 1, topicFilters: [] }],
  ['a SUBACK code 3.1.1 cannot carry', 4, { type: 'suback', packetId: 1, reasonCodes: [0x87] }],
  ['a 3.1.1 UNSUBACK with a failure code', 4, { type: 'unsuback', packetId: 1, reasonCodes: [0x80] }],
  ['a 5.0 UNSUBACK without reason codes', 5, { type: 'unsuback', packetId: 1 }],
  ['a CONNACK return code above 5 in 3.1.1', 4, { type: 'connack', sessionPresent: false, reasonCode: 6 }],
  ['a refusing CONNACK that claims a session [MQTT-3.2.2-4]', 4, { type: 'connack', sessionPresent: true, reasonCode: 5 }],
  ['a CONNECT whose protocolVersion differs from the encoding version', 5, connect({ protocolVersion: 4 })],
  ['a 3.1.1 CONNECT with a password but no user name [MQTT-3.1.2-22]', 4, connect({ password: new Uint8Array(1) })],
  ['a keepAlive above 65,535 seconds', 4, connect({ keepAlive: 65_536 })],
  ['a will topic with a wildcard', 4, connect({ will: { topic: 'a/#', payload: new Uint8Array(0), qos: 0, retain: false } })],
  ['a will payload over 65,535 bytes', 4, connect({ will: { topic: 'w', payload: new Uint8Array(65_536), qos: 0, retain: false } })],
  ['an unknown packet type', 4, { type: 'hello' } as unknown as Packet],
  ['something that is not a packet', 4, null as unknown as Packet],
];

describe('the encoder refuses, rather than writing bad bytes,', () => {
  test.each(refusals)('%s', (_name, version, packet) => {
    let thrown: unknown;
    try {
      encode(packet, version);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(EncodeError);
    expect(thrown).toBeInstanceOf(MqttError);
    expect((thrown as EncodeError).code).toBe('ERR_ENCODE');
  });

  test('a version other than 4 or 5', () => {
    expect(() => encode({ type: 'pingreq' }, 3 as ProtocolVersion)).toThrow(EncodeError);
  });

  // Remaining length = 2 (topic length) + 2 (topic "ab") + payload.
  test('a PUBLISH whose remaining length would exceed 268,435,455 bytes', () => {
    const payload = new Uint8Array(268_435_455 - 3);
    expect(() => encode(publish({ topic: 'ab', payload, qos: 0, packetId: undefined }), 4)).toThrow(EncodeError);
  });

  test('the largest PUBLISH MQTT allows is still encoded', () => {
    const payload = new Uint8Array(268_435_455 - 4);
    const bytes = encode(publish({ topic: 'ab', payload, qos: 0, packetId: undefined }), 4);
    expect(bytes.length).toBe(268_435_455 + 5);
    expect(Array.from(bytes.subarray(0, 5))).toEqual([0x30, 0xff, 0xff, 0xff, 0x7f]);
  }, 60_000); // 256 MiB allocated and copied: seconds on a loaded 2-core machine
});

describe('the encoder', () => {
  test('keeps a leading BOM and 4-byte characters as they are [MQTT-1.5.4-3]', () => {
    const bytes = encode(publish({ topic: '\ufeff𝄞', qos: 0, packetId: undefined, payload: new Uint8Array(0) }), 4);
    expect(Array.from(bytes)).toEqual([0x30, 0x09, 0x00, 0x07, 0xef, 0xbb, 0xbf, 0xf0, 0x9d, 0x84, 0x9e]);
  });

  test('gives each packet its own bytes, though small packets share a slab', () => {
    const first = encode(publish({ packetId: 1 }), 4);
    const second = encode(publish({ packetId: 2 }), 4);
    second.fill(0);
    expect(first[first.length - 2]).toBe(0x01); // the packet id's low byte, untouched
  });
});
