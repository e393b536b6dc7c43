// The client's SCRAM-SHA-256 (RFC 7677) on Web Crypto: the RFC's example exchange byte for byte,
// and the helper's refusals of a broker that does not play by it.
import { describe, expect, test } from 'vitest';
import { scramSha256 } from '@courier/core';
import { scramClientFinal } from '../../src/auth/scram-sha256';
import { RFC7677 } from './scram-vector';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined | void) => new TextDecoder().decode(data ?? undefined);

test('computes the client-final message and server signature of the RFC 7677 example', async () => {
  const { clientFinal, serverSignature } = await scramClientFinal(RFC7677.password, RFC7677.clientFirstBare, RFC7677.serverFirst, RFC7677.clientNonce);
  expect(clientFinal).toBe(RFC7677.clientFinal);
  expect(`v=${serverSignature}`).toBe(RFC7677.serverFinal);
});

describe('scramSha256()', () => {
  async function begin(username = 'user') {
    const { authenticationMethod, authenticate } = scramSha256({ username, password: 'pencil' });
    const first = text(await authenticate(undefined, { step: 'start', reauthentication: false }));
    return { authenticationMethod, authenticate, first, nonce: /,r=(.+)$/.exec(first)![1]! };
  }

  test('starts with a gs2 header without channel binding, the escaped user name and a fresh nonce', async () => {
    const a = await begin('a,b=c');
    const b = await begin();
    expect(a.authenticationMethod).toBe('SCRAM-SHA-256');
    expect(a.first).toMatch(/^n,,n=a=2Cb=3Dc,r=[A-Za-z0-9+/]{24}$/);
    expect(a.nonce).not.toBe(b.nonce);
  });

  test('verifies the server signature: the right one passes, any other throws', async () => {
    const { authenticate, nonce } = await begin();
    const serverFirst = `r=${nonce}server,s=${btoa('salt')},i=4096`;
    await authenticate(bytes(serverFirst), { step: 'continue', reauthentication: false });
    await expect(authenticate(bytes('v=AAAA'), { step: 'success', reauthentication: false })).rejects.toThrow(/does not verify/);
    const { authenticate: again, nonce: nonce2 } = await begin();
    const first2 = `r=${nonce2}server,s=${btoa('salt')},i=4096`;
    await again(bytes(first2), { step: 'continue', reauthentication: false });
    const { serverSignature } = await scramClientFinal('pencil', `n=user,r=${nonce2}`, first2, nonce2);
    await expect(again(bytes(`v=${serverSignature}`), { step: 'success', reauthentication: false })).resolves.toBeUndefined();
  });

  test.each([
    ['a nonce that does not extend ours', (nonce: string) => `r=other${nonce},s=c2FsdA==,i=4096`, /not an answer to ours/],
    ['our nonce unchanged', (nonce: string) => `r=${nonce},s=c2FsdA==,i=4096`, /not an answer to ours/],
    ['no salt', (nonce: string) => `r=${nonce}x,i=4096`, /not an answer to ours/],
    ['an absurd iteration count', (nonce: string) => `r=${nonce}x,s=c2FsdA==,i=1000000000`, /unreasonable/],
    ['garbage', () => 'not scram', /malformed/],
  ])('refuses a challenge with %s', async (_name, challenge, error) => {
    const { authenticate, nonce } = await begin();
    await expect(authenticate(bytes(challenge(nonce)), { step: 'continue', reauthentication: false })).rejects.toThrow(error);
  });

  test('refuses a success without data, or an error from the broker', async () => {
    const { authenticate } = await begin();
    await expect(authenticate(undefined, { step: 'success', reauthentication: false })).rejects.toThrow(/no SCRAM data/);
    await expect(authenticate(bytes('e=invalid-proof'), { step: 'success', reauthentication: false })).rejects.toThrow(/invalid-proof/);
  });
});
