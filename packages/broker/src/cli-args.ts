import { parseArgs } from 'node:util';
import { type CliAuth, parseAuthFlag } from './cli-auth';

/** What the command line asks for. */
export interface CliOptions {
  host: string;
  port: number;
  wsPort: number | undefined;
  /** A file that keeps sessions across restarts (`fileSessionStore`). */
  sessionStore: string | undefined;
  /** `--auth scram:FILE`: clients authenticate with SCRAM-SHA-256 as the users of FILE. */
  auth?: CliAuth | undefined;
  help: boolean;
}

/** The usage text `--help` prints. */
export const USAGE = `Usage: courier-broker [--port 1883] [--ws-port 8083] [--host 127.0.0.1] [--session-store FILE]

Starts Courier's reference MQTT broker (MQTT 3.1.1 and 5.0) for development and tests.
  --port N      TCP port (default 1883; 0 picks a free one)
  --ws-port N   also listen for MQTT over WebSocket on this port (0 picks a free one)
  --host H      interface to listen on (default 127.0.0.1)
  --session-store FILE
                keep persistent sessions and retained messages in FILE across restarts
  --auth scram:FILE
                clients must authenticate with SCRAM-SHA-256 (MQTT 5.0 enhanced
                authentication; others are refused as not authorized). FILE has one
                user a line, name:password or, to keep no passwords,
                name:SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> (base64)
Stops on SIGINT or SIGTERM.`;

function portOf(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new Error(`${name} must be a port number from 0 to 65535`);
  return port;
}

/** Parses the arguments after the script name; throws an Error with a readable message on bad input. */
export function parseCliArgs(args: string[]): CliOptions {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', short: 'p' },
      'ws-port': { type: 'string' },
      host: { type: 'string' },
      'session-store': { type: 'string' },
      auth: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  return {
    host: values.host ?? '127.0.0.1',
    port: portOf(values.port, '--port') ?? 1883,
    wsPort: portOf(values['ws-port'], '--ws-port'),
    sessionStore: values['session-store'],
    auth: parseAuthFlag(values.auth),
    help: values.help === true,
  };
}
