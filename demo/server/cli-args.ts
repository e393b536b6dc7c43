import { parseArgs } from 'node:util';

/** What `npm start -- [flags]` asks for. */
export interface DemoArgs {
  host: string;
  port: number;
  wsPort: number;
  httpPort: number;
  messages: number;
  /** Only the broker and the page, no terminal matrix (the page's own tests use it). */
  pageOnly: boolean;
  help: boolean;
}

/** The text `--help` prints. */
export const USAGE = `Usage: npm start -- [--port N] [--ws-port N] [--http-port N] [--messages N] [--page-only]

Starts Courier's reference broker and the demo page, then runs the nine publish x subscribe QoS
combinations in the terminal, without and with faults. Ctrl-C stops everything.
  --port N        the broker's MQTT (TCP) port (default 0: a free one)
  --ws-port N     the broker's MQTT over WebSocket port (default 0: a free one)
  --http-port N   the page's port (default 0: a free one)
  --messages N    messages per combination (default 20)
  --page-only     start the broker and the page without running the matrix
Everything listens on 127.0.0.1 only.`;

function integer(value: string | undefined, name: string, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max) throw new Error(`${name} must be a whole number from 0 to ${max}`);
  return Number(value);
}

/** Parses the arguments after the script; throws an Error with a readable message on bad input. */
export function parseDemoArgs(args: string[]): DemoArgs {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      'ws-port': { type: 'string' },
      'http-port': { type: 'string' },
      messages: { type: 'string' },
      'page-only': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const messages = integer(values.messages, '--messages', 10_000, 20);
  if (messages < 12) throw new Error('--messages must be at least 12: the faults strike at the 8th and 12th message');
  return {
    host: '127.0.0.1',
    port: integer(values.port, '--port', 65535, 0),
    wsPort: integer(values['ws-port'], '--ws-port', 65535, 0),
    httpPort: integer(values['http-port'], '--http-port', 65535, 0),
    messages,
    pageOnly: values['page-only'] === true,
    help: values.help === true,
  };
}
