import type { Authenticate } from '../client/client-options';

/** The user name and password that `scramSha256` proves, without ever sending the password. */
export interface ScramCredentials {
  username: string;
  password: string;
}

// Made when first used, so that importing the core needs no TextEncoder (createClient names what a host lacks).
const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

/** A broker may ask for more work than this per attempt only to burn our CPU: refused. */
const MAX_ITERATIONS = 10_000_000;

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function unbase64(text: string): Uint8Array {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Web Crypto, in browsers, workers and Node 20 alike; a runtime without it gets a clear error. */
function subtle(): SubtleCrypto {
  const crypto = globalThis.crypto;
  if (crypto?.subtle === undefined) throw new Error('SCRAM-SHA-256 needs Web Crypto (crypto.subtle): a secure context in a browser');
  return crypto.subtle;
}

async function hmac(key: Uint8Array, text: string): Promise<Uint8Array> {
  const imported = await subtle().importKey('raw', key as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', imported, utf8(text)));
}

/** SCRAM attributes `a=value,...` of a server message; throws on anything else. */
function attributes(message: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of message.split(',')) {
    const match = /^([a-zA-Z])=(.*)$/s.exec(part);
    if (match === null) throw new Error('the broker sent a malformed SCRAM message');
    found.set(match[1]!, match[2]!);
  }
  return found;
}

/**
 * The client's final message and the server signature it must see next (RFC 5802 section 3), for
 * `password`, our client-first-message-bare and the broker's server-first-message.
 */
export async function scramClientFinal(password: string, clientFirstBare: string, serverFirst: string, clientNonce: string): Promise<{ clientFinal: string; serverSignature: string }> {
  const first = attributes(serverFirst);
  const nonce = first.get('r');
  const salt = first.get('s');
  const iterations = Number(first.get('i'));
  if (nonce === undefined || !nonce.startsWith(clientNonce) || nonce === clientNonce || salt === undefined) {
    throw new Error('the broker sent a SCRAM challenge that is not an answer to ours');
  }
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) throw new Error('the broker asked for an unreasonable SCRAM iteration count');
  const key = await subtle().importKey('raw', utf8(password), 'PBKDF2', false, ['deriveBits']);
  const salted = new Uint8Array(await subtle().deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: unbase64(salt) as BufferSource, iterations }, key, 256));
  const clientKey = await hmac(salted, 'Client Key');
  const storedKey = new Uint8Array(await subtle().digest('SHA-256', clientKey as BufferSource));
  const withoutProof = `c=biws,r=${nonce}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = await hmac(storedKey, authMessage);
  const proof = clientKey.map((byte, i) => byte ^ signature[i]!);
  const serverSignature = base64(await hmac(await hmac(salted, 'Server Key'), authMessage));
  return { clientFinal: `${withoutProof},p=${base64(proof)}`, serverSignature };
}

/**
 * Enhanced authentication with SCRAM-SHA-256 (RFC 7677, RFC 5802), for a broker that offers it:
 * spread the result into the client's options. The password never goes on the wire, and the
 * broker has to prove it knows the password too: a CONNACK whose server signature does not
 * verify closes the connection (`ERR_AUTHENTICATION`). It also serves `client.reauthenticate()`.
 *
 * It lives in @courier/core because it needs nothing but Web Crypto (`crypto.subtle`: PBKDF2,
 * HMAC, SHA-256), which browsers, workers and Node 20 all have; an application that does not
 * import it does not carry it (the package has no side effects, and the bundle-size test checks
 * the start chunk). User names are escaped as RFC 5802 asks; passwords are used as their UTF-8
 * bytes (no SASLprep), as the reference broker's authenticator does.
 * @example const client = await connect(url, { ...scramSha256({ username: 'alice', password: 'secret' }) });
 */
export function scramSha256(credentials: ScramCredentials): { authenticationMethod: 'SCRAM-SHA-256'; authenticate: Authenticate } {
  const { username, password } = credentials;
  if (typeof username !== 'string' || typeof password !== 'string') throw new TypeError('scramSha256 needs a username and a password, both strings');
  // One exchange at a time per client: its state lives here between the steps.
  let clientFirstBare = '';
  let clientNonce = '';
  let expectedServerSignature: string | undefined;

  const authenticate: Authenticate = async (data, { step }) => {
    if (step === 'start') {
      clientNonce = base64(globalThis.crypto.getRandomValues(new Uint8Array(18)));
      clientFirstBare = `n=${username.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${clientNonce}`;
      expectedServerSignature = undefined;
      return utf8(`n,,${clientFirstBare}`);
    }
    if (data === undefined) throw new Error(`the broker sent no SCRAM data at the ${step} step`);
    const message = new TextDecoder().decode(data);
    if (step === 'continue') {
      const { clientFinal, serverSignature } = await scramClientFinal(password, clientFirstBare, message, clientNonce);
      expectedServerSignature = serverSignature;
      return utf8(clientFinal);
    }
    // success: the broker proves that it knows the password as well [RFC 5802 section 3].
    const final = attributes(message);
    if (final.has('e')) throw new Error(`the broker ended SCRAM with an error: ${final.get('e')}`);
    if (expectedServerSignature === undefined || final.get('v') !== expectedServerSignature) {
      throw new Error("the broker's SCRAM server signature does not verify: it does not know the password");
    }
    expectedServerSignature = undefined;
    return undefined;
  };
  return { authenticationMethod: 'SCRAM-SHA-256', authenticate };
}
