// A Courier client pointed at a test broker, with every lifecycle event recorded, and checks that
// whatever the broker did, the client only ever reported typed errors.
import { type DisconnectInfo, type Message, MqttError, type MqttClient } from '@courier/core';
import { createClient, type NodeClientOptions } from '@courier/node';

/** Every code a Courier error may carry (packages/core/src/errors.ts and the codec's). */
export const ERROR_CODES = new Set([
  'ERR_INVALID_ARGUMENT',
  'ERR_PROTOCOL',
  'ERR_CONNECTION',
  'ERR_CONNECT_REFUSED',
  'ERR_PUBLISH_REJECTED',
  'ERR_SUBSCRIBE_REJECTED',
  'ERR_ABORTED',
  'ERR_CLIENT_ENDED',
  'ERR_QUEUE_FULL',
  'ERR_OUTBOX',
  'ERR_DECODE',
  'ERR_UNEXPECTED_ACK',
  'ERR_NO_CONSUMER',
  'ERR_FALLBACK_TO_V4',
]);

/** How long `eventually` waits before it fails with what it was waiting for. */
const WAIT_MS = 10_000;

export class WatchedClient {
  readonly errors: MqttError[] = [];
  readonly warnings: MqttError[] = [];
  readonly disconnects: DisconnectInfo[] = [];
  readonly messages: Message[] = [];
  connects = 0;
  /** 'reconnecting' events: a client that gave up emits none. */
  reconnects = 0;

  constructor(
    readonly client: MqttClient,
    options: { listen?: boolean } = {},
  ) {
    client.on('error', (error) => this.errors.push(error));
    client.on('warning', (warning) => this.warnings.push(warning));
    client.on('disconnect', (info) => this.disconnects.push(info));
    client.on('connect', () => this.connects++);
    client.on('reconnecting', () => this.reconnects++);
    if (options.listen !== false) client.on('message', (message) => this.messages.push(message));
  }

  /** The errors of every `error` event and every `disconnect`, in order. */
  get reported(): MqttError[] {
    return [...this.errors, ...this.disconnects.flatMap((info) => (info.error === undefined ? [] : [info.error]))];
  }

  /** Throws unless every error reported so far is an MqttError with a known code. */
  expectTyped(): void {
    for (const error of [...this.reported, ...this.warnings]) {
      if (!(error instanceof MqttError) || !ERROR_CODES.has(error.code)) {
        throw new Error(`an untyped error was reported: ${String(error)}`, { cause: error });
      }
    }
  }
}

/** A client of `url` that reconnects quickly, with its events recorded. */
export function watchedClient(url: string, options: NodeClientOptions & { listen?: boolean } = {}): WatchedClient {
  const { listen, ...rest } = options;
  const client = createClient(url, {
    clientId: 'victim',
    keepAlive: 0,
    connectTimeoutMs: 2_000,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
    ...rest,
  });
  return new WatchedClient(client, listen === undefined ? {} : { listen });
}

/** Resolves once `check()` returns true; polls, and fails after a while saying `what`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
