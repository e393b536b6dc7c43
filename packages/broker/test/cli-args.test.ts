import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCliArgs, tunablesOf, USAGE } from '../src/cli-args';

describe('parseCliArgs', () => {
  it('defaults to 127.0.0.1:1883 without WebSocket', () => {
    expect(parseCliArgs([])).toEqual({
      host: '127.0.0.1',
      port: 1883,
      wsPort: undefined,
      sessionStore: undefined,
      receiveMaximum: undefined,
      serverKeepAlive: undefined,
      maximumPacketSize: undefined,
      topicAliasMaximum: undefined,
      denySubscribe: [],
      help: false,
    });
    expect(tunablesOf(parseCliArgs([]))).toEqual({});
  });

  it('reads --port, --ws-port and --host', () => {
    expect(parseCliArgs(['--port', '1884', '--ws-port', '8083', '--host', '0.0.0.0'])).toMatchObject({
      host: '0.0.0.0',
      port: 1884,
      wsPort: 8083,
      sessionStore: undefined,
      help: false,
    });
    expect(parseCliArgs(['--port=0']).port).toBe(0);
  });

  it.each([['--port', 'x'], ['--port', '70000'], ['--ws-port', '-1'], ['--colour']])('refuses %j', (...args) => {
    expect(() => parseCliArgs(args)).toThrow();
  });

  it('reads --session-store', () => {
    expect(parseCliArgs(['--session-store', '/var/lib/courier/sessions.json']).sessionStore).toBe('/var/lib/courier/sessions.json');
  });

  it('reads the broker limits and repeated --deny-subscribe into the library options', () => {
    const args = [
      '--receive-maximum', '2',
      '--server-keep-alive', '60',
      '--max-packet-size', '256',
      '--topic-alias-maximum', '0',
      '--deny-subscribe', 'test/nosubscribe',
      '--deny-subscribe=private/#',
    ];
    expect(tunablesOf(parseCliArgs(args))).toEqual({
      receiveMaximum: 2,
      serverKeepAlive: 60,
      maximumPacketSize: 256,
      topicAliasMaximum: 0,
      denySubscribe: ['test/nosubscribe', 'private/#'],
    });
  });

  it.each([
    [['--receive-maximum', '0'], '--receive-maximum must be a whole number from 1 to 65535, not "0"'],
    [['--receive-maximum', '65536'], '--receive-maximum must be a whole number from 1 to 65535'],
    [['--server-keep-alive', '1.5'], '--server-keep-alive must be a whole number from 0 to 65535, not "1.5"'],
    [['--max-packet-size', '15'], '--max-packet-size must be a whole number from 16 to 268435460'],
    [['--max-packet-size', '1e6'], '--max-packet-size must be a whole number'],
    [['--topic-alias-maximum=-1'], '--topic-alias-maximum must be a whole number from 0 to 65535'],
    [['--deny-subscribe', 'a/#/b'], '--deny-subscribe "a/#/b" is not a valid topic filter'],
    [['--deny-subscribe', ''], '--deny-subscribe "" is not a valid topic filter'],
    [['--deny-subscribe', '$share/g/a'], '--deny-subscribe takes a plain filter'],
  ])('refuses %j with a readable message', (args, message) => {
    expect(() => parseCliArgs(args)).toThrow(message);
  });

  it('reads --help', () => expect(parseCliArgs(['--help']).help).toBe(true));

  it('has every flag of its usage in the README table', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const flags = new Set(USAGE.match(/--[a-z-]+/g));
    expect(flags.size).toBeGreaterThanOrEqual(9);
    for (const flag of flags) if (flag !== '--help') expect(readme).toMatch(new RegExp(`^\\| \`${flag}[ \`]`, 'm'));
  });
});
