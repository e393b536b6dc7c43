import { expect, test } from 'vitest';
import { describeReasonCode } from '../../src/codec/reason-codes';
import { reasonCodeWords } from '../../src/codec/reason-code-words';

test('the words loaded with the 5.0 codec are those describeReasonCode makes of ReasonCode, for every byte', () => {
  for (let code = 0; code <= 0xff; code++) expect(reasonCodeWords(code)).toBe(describeReasonCode(code));
});
