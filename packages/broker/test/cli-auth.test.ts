import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli-args';
import { cliAuthOptions, parseAuthFlag } from '../src/cli-auth';

describe('--auth', () => {
  it('reads scram:FILE, and nothing else', () => {
    expect(parseCliArgs(['--auth', 'scram:/etc/users.txt']).auth).toEqual({ scheme: 'scram', file: '/etc/users.txt' });
    expect(parseCliArgs([]).auth).toBeUndefined();
    for (const value of ['scram:', 'plain:/x', 'scram']) expect(() => parseAuthFlag(value)).toThrow('--auth must be scram:<users file>');
  });

  it('gives a SCRAM-SHA-256 authenticator for the users of the file, and refuses every other client', () => {
    const dir = mkdtempSync(join(tmpdir(), 'courier-cli-auth-'));
    try {
      const file = join(dir, 'users.txt');
      writeFileSync(file, 'alice:secret\nbob:hunter2\n');
      const { options, users } = cliAuthOptions({ scheme: 'scram', file });
      expect(users).toBe(2);
      expect(Object.keys(options.enhancedAuthenticators!)).toEqual(['SCRAM-SHA-256']);
      expect(options.authenticate!({ clientId: 'x' })).toBe(false);
      expect(() => cliAuthOptions({ scheme: 'scram', file: join(dir, 'missing') })).toThrow(/^--auth: .*missing: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
