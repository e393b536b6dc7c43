import { malformed } from './errors';

// Made on first use, not at import: a host without them gets the client's typed error at
// createClient (see client-options.ts), not a ReferenceError from an import.
let decoder: TextDecoder | undefined;
let encoder: TextEncoder | undefined;

// Below this many bytes, building an ASCII string by hand beats a TextDecoder call (~150 ns each).
const SHORT_STRING_BYTES = 12;

/**
 * The UTF-8 byte length of `s`, or -1 when `s` cannot be an MQTT string: it holds a lone
 * surrogate (not well-formed UTF-16, so not encodable) [MQTT-1.5.4-1] or U+0000 [MQTT-1.5.4-2].
 */
export function utf8Length(s: string): number {
  const n = s.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0) return -1;
    } else if (c < 0x800) {
      bytes += 1;
    } else if (c < 0xd800 || c > 0xdfff) {
      bytes += 2;
    } else if (c <= 0xdbff && i + 1 < n) {
      const low = s.charCodeAt(i + 1);
      if (low < 0xdc00 || low > 0xdfff) return -1;
      i++;
      bytes += 2; // two UTF-16 units, four UTF-8 bytes
    } else {
      return -1;
    }
  }
  return bytes;
}

/** Writes `s`, whose UTF-8 length `byteLength` the caller measured with `utf8Length`, at `pos`. */
export function writeUtf8(buf: Uint8Array, pos: number, s: string, byteLength: number): void {
  if (byteLength === s.length) {
    for (let i = 0; i < byteLength; i++) buf[pos + i] = s.charCodeAt(i);
  } else {
    (encoder ??= new TextEncoder()).encodeInto(s, buf.subarray(pos, pos + byteLength));
  }
}

/**
 * Decodes the UTF-8 string in `buf[start, end)`. Ill-formed UTF-8 (overlong forms, surrogates,
 * truncated sequences) [MQTT-1.5.4-1] and U+0000 [MQTT-1.5.4-2] are malformed.
 */
export function readUtf8(buf: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT_STRING_BYTES) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c === 0 || c > 0x7f) return readUtf8Slow(buf, start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return readUtf8Slow(buf, start, end);
}

function readUtf8Slow(buf: Uint8Array, start: number, end: number): string {
  let s: string;
  try {
    // ignoreBOM: a leading U+FEFF is part of the string and must not be stripped [MQTT-1.5.4-3].
    decoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    s = decoder.decode(buf.subarray(start, end));
  } catch {
    throw malformed('a string is not well-formed UTF-8');
  }
  if (s.indexOf('\u0000') !== -1) throw malformed('a string contains U+0000');
  return s;
}
