import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { ReasonCode } from '@courier/core';
import type { AuthConversation, AuthOutcome, EnhancedAuthenticator } from './options';

/**
 * What the broker keeps of a SCRAM-SHA-256 user (RFC 5802 section 3): never the password, only
 * the salt, the iteration count and the two keys derived from it.
 */
export interface ScramUser {
  salt: Uint8Array;
  iterations: number;
  storedKey: Uint8Array;
  serverKey: Uint8Array;
}

/** Finds a user by name; none for one that does not exist. */
export type ScramLookup = (username: string) => ScramUser | undefined | Promise<ScramUser | undefined>;

/** The Authentication Method name of SCRAM-SHA-256 (RFC 7677). */
export const SCRAM_SHA_256 = 'SCRAM-SHA-256';

/** RFC 7677 asks for at least 4096 iterations. */
const DEFAULT_ITERATIONS = 4096;

const hmac = (key: Uint8Array, text: string): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest();
const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/**
 * Derives what the broker stores for `password`: a fresh random salt unless given. Passwords are
 * used as their UTF-8 bytes (no SASLprep), as the client helper does.
 */
export function scramUser(password: string, options: { salt?: Uint8Array; iterations?: number } = {}): ScramUser {
  const salt = options.salt ?? randomBytes(16);
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  return { salt, iterations, storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

/** A lookup over fixed users: `{ alice: 'secret' }` (derived now) or their `ScramUser` records. */
export function scramUsers(users: Record<string, string | ScramUser> | Map<string, ScramUser>): ScramLookup {
  const table = new Map<string, ScramUser>();
  for (const [name, user] of users instanceof Map ? users : Object.entries(users)) table.set(name, typeof user === 'string' ? scramUser(user) : user);
  return (username) => table.get(username);
}

/** The attributes of a SCRAM message (`a=value,b=value`); undefined when malformed. */
function attributes(message: string): Map<string, string> | undefined {
  const found = new Map<string, string>();
  for (const part of message.split(',')) {
    const match = /^([a-zA-Z])=(.*)$/s.exec(part);
    if (match === null || found.has(match[1]!)) return undefined;
    found.set(match[1]!, match[2]!);
  }
  return found;
}

/** A saslname back to the user name: `=2C` is a comma, `=3D` an equals sign (RFC 5802 5.1). */
function userName(saslName: string): string | undefined {
  if (/=(?!2C|3D)/.test(saslName)) return undefined;
  return saslName.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A SCRAM-SHA-256 authenticator (RFC 7677, RFC 5802) for `enhancedAuthenticators`: the client's
 * CONNECT carries client-first, the broker challenges with server-first (AUTH 0x18), the client
 * answers with client-final, and the CONNACK carries the server signature for the client to
 * verify. No channel binding. A wrong password and an unknown user are both refused with 0x86
 * Bad user name or password, after the same work, so that the answer does not tell them apart.
 * Re-authentication [MQTT-4.12.1] runs the same exchange and must prove the same user.
 */
export function scramSha256Authenticator(lookup: ScramLookup): EnhancedAuthenticator {
  return () => new ScramConversation(lookup);
}

/** A fresh server nonce: 18 random bytes, base64. */
const randomNonce = (): string => randomBytes(18).toString('base64');

const BAD_CREDENTIALS: AuthOutcome = { result: 'fail', reasonCode: ReasonCode.BadUserNameOrPassword };
const MALFORMED: AuthOutcome = { result: 'fail', reasonCode: ReasonCode.NotAuthorized };

/** One connection's SCRAM exchanges (exported for tests, which fix the server nonce). */
export class ScramConversation implements AuthConversation {
  /** Who the first exchange proved: a re-authentication must prove the same user. */
  #authenticated: string | undefined;
  #exchange: { username: string; user: ScramUser; known: boolean; clientFirstBare: string; serverFirst: string; nonce: string; gs2: string } | undefined;

  constructor(
    private readonly lookup: ScramLookup,
    private readonly serverNonce: () => string = randomNonce,
  ) {}

  async start(data: Uint8Array | undefined): Promise<AuthOutcome> {
    this.#exchange = undefined;
    const message = decode(data);
    // gs2-header: no channel binding ("n") or client supports it but we did not offer it ("y"); no authzid.
    const header = message === undefined ? null : /^([ny]),,(.*)$/s.exec(message);
    const first = header === null || header === undefined ? undefined : attributes(header[2]!);
    const username = first?.get('n') === undefined ? undefined : userName(first.get('n')!);
    const clientNonce = first?.get('r');
    if (header === null || header === undefined || username === undefined || clientNonce === undefined || clientNonce === '' || first?.has('m') === true) return MALFORMED;
    if (this.#authenticated !== undefined && username !== this.#authenticated) return { result: 'fail', reasonCode: ReasonCode.NotAuthorized };
    const found = await this.lookup(username);
    // An unknown user gets a made-up salt and the full exchange: the refusal comes only at the proof.
    const user = found ?? scramUser(randomBytes(16).toString('hex'));
    const nonce = clientNonce + this.serverNonce();
    const serverFirst = `r=${nonce},s=${b64(user.salt)},i=${user.iterations}`;
    this.#exchange = { username, user, known: found !== undefined, clientFirstBare: header[2]!, serverFirst, nonce, gs2: `${header[1]},,` };
    return { result: 'continue', data: new TextEncoder().encode(serverFirst) };
  }

  continue(data: Uint8Array | undefined): AuthOutcome {
    const exchange = this.#exchange;
    this.#exchange = undefined;
    const message = decode(data);
    if (exchange === undefined || message === undefined) return MALFORMED;
    const proofAt = message.lastIndexOf(',p=');
    const final = proofAt < 0 ? undefined : attributes(message);
    if (final === undefined || final.get('c') !== Buffer.from(exchange.gs2).toString('base64') || final.get('r') !== exchange.nonce) return MALFORMED;
    const proof = Buffer.from(final.get('p') ?? '', 'base64');
    const authMessage = `${exchange.clientFirstBare},${exchange.serverFirst},${message.slice(0, proofAt)}`;
    const clientSignature = hmac(exchange.user.storedKey, authMessage);
    if (proof.length !== clientSignature.length) return BAD_CREDENTIALS;
    // ClientKey = ClientProof XOR ClientSignature; the proof holds when H(ClientKey) is the StoredKey.
    const clientKey = Buffer.from(clientSignature.map((byte, i) => byte ^ proof[i]!));
    if (!timingSafeEqual(sha256(clientKey), exchange.user.storedKey) || !exchange.known) return BAD_CREDENTIALS;
    this.#authenticated = exchange.username;
    const serverFinal = `v=${b64(hmac(exchange.user.serverKey, authMessage))}`;
    return { result: 'success', data: new TextEncoder().encode(serverFinal), username: exchange.username };
  }
}

function decode(data: Uint8Array | undefined): string | undefined {
  if (data === undefined) return undefined;
  try {
    return utf8.decode(data);
  } catch {
    return undefined;
  }
}

/**
 * Reads a users file for `--auth scram:FILE`: one user a line, `name:password` (derived at load
 * with a random salt and 4096 iterations) or `name:SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`
 * (base64, the RFC 5803 form, so the file need not hold passwords). Blank lines and lines
 * starting with `#` are skipped. The name is everything before the first colon.
 */
export function parseScramUsers(text: string): Map<string, ScramUser> {
  const users = new Map<string, ScramUser>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`line ${index + 1}: expected name:password or name:SCRAM-SHA-256$…`);
    const name = line.slice(0, colon);
    const secret = line.slice(colon + 1);
    const hashed = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(secret);
    if (hashed !== null) {
      const iterations = Number(hashed[1]);
      const [salt, storedKey, serverKey] = [hashed[2]!, hashed[3]!, hashed[4]!].map((value) => Buffer.from(value, 'base64'));
      if (iterations < 1 || storedKey!.length !== 32 || serverKey!.length !== 32) throw new Error(`line ${index + 1}: a SCRAM-SHA-256 entry needs iterations and 32-byte keys`);
      users.set(name, { salt: salt!, iterations, storedKey: storedKey!, serverKey: serverKey! });
    } else {
      users.set(name, scramUser(secret));
    }
  }
  return users;
}

/** The RFC 5803 form of a user, for a users file that holds no passwords. */
export function formatScramUser(name: string, user: ScramUser): string {
  return `${name}:SCRAM-SHA-256$${user.iterations}:${b64(user.salt)}$${b64(user.storedKey)}:${b64(user.serverKey)}`;
}
