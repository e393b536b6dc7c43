// SCRAM-SHA-256 in real Chromium: the helper needs nothing but Web Crypto, so a web page can use
// it; the RFC 7677 example exchange computes there byte for byte as in Node.
import { expect, test } from 'vitest';
import { scramClientFinal } from '../../src/auth/scram-sha256';
import { RFC7677 } from '../auth/scram-vector';

test('the RFC 7677 example in the browser', async () => {
  expect(typeof (globalThis as { process?: unknown }).process).toBe('undefined');
  const { clientFinal, serverSignature } = await scramClientFinal(RFC7677.password, RFC7677.clientFirstBare, RFC7677.serverFirst, RFC7677.clientNonce);
  expect(clientFinal).toBe(RFC7677.clientFinal);
  expect(`v=${serverSignature}`).toBe(RFC7677.serverFinal);
});
