import { expect, test } from 'vitest';
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
