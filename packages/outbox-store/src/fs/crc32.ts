import * as zlib from 'node:zlib';

// CRC-32 as zlib, PNG and Ethernet compute it (reflected polynomial 0xEDB88320), one table
// lookup per byte. Written here rather than taken from a dependency: it is a dozen lines, and
// the journal format must not change with someone else's release. Node's own zlib.crc32 (Node
// 20.15 and later) computes the same function about ten times as fast per byte, but costs a
// call into C++ (about 0.3 µs here), so it takes the long spans: a whole append's record.
const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
const NATIVE_FROM_BYTES = 256;

const TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32 of `bytes[start, end)`. Pass the result of an earlier call as `crc` to continue
 * it: `crc32(b, 0, b.length, crc32(a))` equals the CRC of `a` followed by `b`.
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  if (native !== undefined && end - start >= NATIVE_FROM_BYTES) return native(bytes.subarray(start, end), crc);
  let c = ~crc;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
