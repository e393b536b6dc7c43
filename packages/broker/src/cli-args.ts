import { parseArgs } from 'node:util';
import { type BrokerOptions, PROTOCOL_MAXIMUM_PACKET_SIZE } from './options';
import { isValidTopicFilter } from './topic-filter';
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
  /** The library options of the same names, when given. */
  receiveMaximum: number | undefined;
  serverKeepAlive: number | undefined;
  maximumPacketSize: number | undefined;
  topicAliasMaximum: number | undefined;
  denySubscribe: string[];
  help: boolean;
}

/** The usage text `--help` prints. */
export const USAGE = `Usage: courier-broker [--port 1883] [--ws-port 8083] [--host 127.0.0.1] [--session-store FILE]
                      [--receive-maximum N] [--server-keep-alive S] [--max-packet-size BYTES]
                      [--topic-alias-maximum N] [--deny-subscribe FILTER]... [--auth scram:FILE]

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
  --receive-maximum N
                QoS 1/2 messages a 5.0 client may leave unacknowledged, 1 to 65535
                (default 65535); one more is DISCONNECT 0x93
  --server-keep-alive S
                longest keep-alive in seconds for 5.0 clients, 0 to 65535: one asking for more
                or for none is told to use S (CONNACK Server Keep Alive)
  --max-packet-size BYTES
                largest packet either way, 16 to ${PROTOCOL_MAXIMUM_PACKET_SIZE} (default 1048576)
  --topic-alias-maximum N
                topic aliases a 5.0 client may use, 0 to 65535 (default 10; 0 refuses them)
  --deny-subscribe FILTER
                refuse subscriptions to FILTER and to filters it covers (SUBACK 0x80); repeatable
Stops on SIGINT or SIGTERM.`;

function integerOf(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return number;
}

function portOf(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new Error(`${name} must be a port number from 0 to 65535`);
  return port;
}

function denyFilterOf(filter: string): string {
  if (!isValidTopicFilter(filter)) throw new Error(`--deny-subscribe ${JSON.stringify(filter)} is not a valid topic filter`);
  if (filter.startsWith('$share/')) {
    throw new Error(`--deny-subscribe takes a plain filter (shared subscriptions are checked by theirs), not ${JSON.stringify(filter)}`);
  }
  return filter;
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
      'receive-maximum': { type: 'string' },
      'server-keep-alive': { type: 'string' },
      'max-packet-size': { type: 'string' },
      'topic-alias-maximum': { type: 'string' },
      'deny-subscribe': { type: 'string', multiple: true },
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
    receiveMaximum: integerOf(values['receive-maximum'], '--receive-maximum', 1, 65535),
    serverKeepAlive: integerOf(values['server-keep-alive'], '--server-keep-alive', 0, 65535),
    maximumPacketSize: integerOf(values['max-packet-size'], '--max-packet-size', 16, PROTOCOL_MAXIMUM_PACKET_SIZE),
    topicAliasMaximum: integerOf(values['topic-alias-maximum'], '--topic-alias-maximum', 0, 65535),
    denySubscribe: (values['deny-subscribe'] ?? []).map(denyFilterOf),
    help: values.help === true,
  };
}

type Tunables = Pick<BrokerOptions, 'receiveMaximum' | 'serverKeepAlive' | 'maximumPacketSize' | 'topicAliasMaximum' | 'denySubscribe'>;

/** The broker options the flags after `--session-store` in USAGE set, leaving out those not given. */
export function tunablesOf(options: CliOptions): Tunables {
  const tunables: Tunables = {};
  if (options.receiveMaximum !== undefined) tunables.receiveMaximum = options.receiveMaximum;
  if (options.serverKeepAlive !== undefined) tunables.serverKeepAlive = options.serverKeepAlive;
  if (options.maximumPacketSize !== undefined) tunables.maximumPacketSize = options.maximumPacketSize;
  if (options.topicAliasMaximum !== undefined) tunables.topicAliasMaximum = options.topicAliasMaximum;
  if (options.denySubscribe.length > 0) tunables.denySubscribe = options.denySubscribe;
  return tunables;
}
