import { expect, test } from 'vitest';
import { encode, PacketDecoder } from '@courier/core';
import { describeReasonCode } from '../../src/codec/reason-codes';

test('a reason code is printed with its name in words', () => {
  expect(describeReasonCode(0x95)).toBe('0x95 Packet too large');
  expect(describeReasonCode(0x8b)).toBe('0x8b Server shutting down');
  expect(describeReasonCode(0x9b)).toBe('0x9b QoS not supported');
  expect(describeReasonCode(0x04)).toBe('0x04 Disconnect with will message');
});

test('a code without a name is printed in hex alone', () => {
  expect(describeReasonCode(0x7f)).toBe('0x7f');
});

test('the codec names the reason codes it refuses', () => {
  expect(() => encode({ type: 'puback', packetId: 1, reasonCode: 0x92 }, 5)).toThrow('0x92 Packet identifier not found is not a valid reason code for PUBACK');
  expect(() => encode({ type: 'puback', packetId: 1, reasonCode: 0x80 }, 4)).toThrow('PUBACK cannot carry reason code 0x80 Unspecified error in MQTT 3.1.1');
  expect(() => encode({ type: 'puback', packetId: 1, reasonCode: 1.5 }, 5)).toThrow('1.5 is not a valid reason code for PUBACK');
  const decoder = new PacketDecoder({ version: 5 });
  expect(() => decoder.push(Uint8Array.of(0x20, 0x03, 0x00, 0x04, 0x00))).toThrow('CONNACK carries reason code 0x04 Disconnect with will message, which it may not use');
});
