import { randomBytes } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { expect, test } from 'vitest';
import { crc32 } from '../../src/fs/crc32';

test('gives the check value of CRC-32/ISO-HDLC for "123456789"', () => {
  expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  expect(crc32(new Uint8Array(0))).toBe(0);
});

test('agrees with zlib on random inputs of every length up to 300', () => {
  for (let length = 0; length <= 300; length++) {
    const bytes = randomBytes(length);
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
  }
});

test('continues a CRC over a range: two pieces give the CRC of the whole', () => {
  const bytes = randomBytes(1000);
  for (const split of [0, 1, 7, 500, 999, 1000]) {
    expect(crc32(bytes, split, bytes.length, crc32(bytes, 0, split))).toBe(zlibCrc32(bytes));
  }
});
