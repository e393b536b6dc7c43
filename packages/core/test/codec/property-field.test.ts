// A client loads the 5.0 property codec lazily (codec/property-field.ts). This file imports the
// client half of the codec alone, never `encode` or `PacketDecoder` (which install the property
// codec as they load), so it starts without it, as a web app does.
import { expect, test } from 'vitest';
import { encodeFromClient } from '../../src/codec/client-codec';
import type { PublishPacket } from '../../src/codec/packet';
import { loadPropertyCodec, propertiesCheckable } from '../../src/codec/property-field';
import { reasonCodeText } from '../../src/codec/reason-code-text';

test('before the 5.0 codec loads, packets without properties encode, 5.0 properties are refused (not dropped) and reason codes print in hex; after, they encode and print with their words', async () => {
  const publish: PublishPacket = { type: 'publish', topic: 't', payload: new Uint8Array([1]), qos: 0, dup: false, retain: false };
  const withProperties: PublishPacket = { ...publish, properties: { contentType: 'x' } };
  expect(propertiesCheckable(withProperties.properties, 5)).toBe(false);
  expect(propertiesCheckable(withProperties.properties, 4)).toBe(true);
  expect(propertiesCheckable(undefined, 5)).toBe(true);
  expect([...encodeFromClient(publish, 5)]).toEqual([0x30, 5, 0, 1, 0x74, 0, 1]);
  expect(() => encodeFromClient(withProperties, 4)).toThrow('MQTT 3.1.1 has no properties (given in PUBLISH)');
  expect(() => encodeFromClient(withProperties, 5)).toThrow('the MQTT 5.0 property codec is not loaded');
  // The words of reason codes come with it; 3.1.1's one failure code has its own.
  expect([reasonCodeText(0x97), reasonCodeText(0x80), reasonCodeText(6)]).toEqual(['0x97', '0x80 Unspecified error', '0x06']);
  await loadPropertyCodec(4);
  expect(propertiesCheckable(withProperties.properties, 5)).toBe(false);
  await loadPropertyCodec(5);
  expect(propertiesCheckable(withProperties.properties, 5)).toBe(true);
  expect([reasonCodeText(0x97), reasonCodeText(0x80), reasonCodeText(6)]).toEqual(['0x97 Quota exceeded', '0x80 Unspecified error', '0x06']);
  // Content Type (0x03), "x": a property field of 5 bytes.
  expect([...encodeFromClient(withProperties, 5)]).toEqual([0x30, 9, 0, 1, 0x74, 4, 0x03, 0, 1, 0x78, 1]);
});
