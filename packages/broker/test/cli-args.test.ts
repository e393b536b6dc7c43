import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli-args';

describe('parseCliArgs', () => {
  it('defaults to 127.0.0.1:1883 without WebSocket', () => {
    expect(parseCliArgs([])).toEqual({
      host: '127.0.0.1',
      port: 1883,
      wsPort: undefined,
      sessionStore: undefined,
      help: false,
    });
  });

  it('reads --port, --ws-port and --host', () => {
    expect(parseCliArgs(['--port', '1884', '--ws-port', '8083', '--host', '0.0.0.0'])).toEqual({
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

  it('reads --help', () => expect(parseCliArgs(['--help']).help).toBe(true));
});
