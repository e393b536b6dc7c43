import { protocolError } from './errors';
import type { Reader } from './reader';
import { reasonCodeText } from './reason-code-text';

/** The next byte as a reason code that `packet` may carry (`valid[code]` is 1), or a protocol error. */
export function readReasonCode(r: Reader, valid: Uint8Array, packet: string): number {
  const code = r.u8();
  if (valid[code] !== 1) throw protocolError(`${packet} carries reason code ${reasonCodeText(code)}, which it may not use`);
  return code;
}

/** The rest of a SUBACK or UNSUBACK: one reason code per topic filter, so at least one. */
export function readReasonCodes(r: Reader, valid: Uint8Array, packet: string): number[] {
  const codes: number[] = [];
  while (r.remaining() > 0) codes.push(readReasonCode(r, valid, packet));
  if (codes.length === 0) throw protocolError(`${packet} has no reason code`);
  return codes;
}
