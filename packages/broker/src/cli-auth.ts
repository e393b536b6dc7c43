import { readFileSync } from 'node:fs';
import type { BrokerOptions } from './options';
import { parseScramUsers, SCRAM_SHA_256, scramSha256Authenticator, scramUsers } from './scram-sha256';

/** What `--auth` asks for: SCRAM-SHA-256 with the users of a file. */
export interface CliAuth {
  scheme: 'scram';
  file: string;
}

/** Reads the value of `--auth`; throws with a readable message on anything but `scram:FILE`. */
export function parseAuthFlag(value: string | undefined): CliAuth | undefined {
  if (value === undefined) return undefined;
  const match = /^scram:(.+)$/s.exec(value);
  if (match === null) throw new Error('--auth must be scram:<users file>');
  return { scheme: 'scram', file: match[1]! };
}

/**
 * The broker options `--auth scram:FILE` gives: SCRAM-SHA-256 for the users of FILE (see
 * `parseScramUsers` for its lines), and every client that does not use it refused as not
 * authorized (3.1.1 clients, which have no enhanced authentication, among them).
 */
export function cliAuthOptions(auth: CliAuth): { options: Pick<BrokerOptions, 'enhancedAuthenticators' | 'authenticate'>; users: number } {
  let users;
  try {
    users = parseScramUsers(readFileSync(auth.file, 'utf8'));
  } catch (error) {
    throw new Error(`--auth: ${auth.file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    options: { enhancedAuthenticators: { [SCRAM_SHA_256]: scramSha256Authenticator(scramUsers(users)) }, authenticate: () => false },
    users: users.size,
  };
}
