// What bench/e2e.bench.ts and its client processes (bench/e2e/client-process.ts) share: the
// run's settings, the IPC messages, and the messages' layout.

export type QoS = 0 | 1 | 2;
/** all: every publish at once; window: at most WINDOW unsettled; one: each awaited before the next. */
export type Mode = 'all' | 'window' | 'one';
/** courier: @courier/node; mqttjs: MQTT.js 5.16; raw: pre-encoded frames over node:net. */
export type ClientKind = 'courier' | 'mqttjs' | 'raw';

/** BENCH_TOPIC_BYTES (e.g. 60) pads the topic to that length, for every client. */
export const TOPIC = 'bench/e2e'.padEnd(Number(process.env.BENCH_TOPIC_BYTES ?? 0), '/x');
/** BENCH_TOPIC_ALIASES=1: Courier's publisher sets autoTopicAliases (it takes effect in 5.0: courier5). */
export const TOPIC_ALIASES = process.env.BENCH_TOPIC_ALIASES === '1';
export const PAYLOAD_BYTES = 64;
/** The application-level bound of the "at most 100 outstanding" mode. */
export const WINDOW = 100;
/** Courier's own window, in every mode: its default unless BENCH_MAX_INFLIGHT gives one. */
export const COURIER_MAX_INFLIGHT = process.env.BENCH_MAX_INFLIGHT === undefined ? undefined : Number(process.env.BENCH_MAX_INFLIGHT);
export const KEEP_ALIVE = 60;
/**
 * Courier's queue of QoS 0 messages waiting while the socket's buffer is full (default 1,000,
 * beyond which publish() is refused with QueueFullError): large enough for a burst of every
 * message at once, which MQTT.js buffers without a bound.
 */
export const COURIER_MAX_QUEUED_QOS0 = 100_000;

/** How many publishes a mode keeps unsettled at most. */
export function windowOf(mode: Mode): number {
  return mode === 'all' ? Infinity : mode === 'window' ? WINDOW : 1;
}

/** What a client process is given (as JSON in argv[2]). */
export interface ClientConfig {
  role: 'publisher' | 'subscriber';
  kind: ClientKind;
  version: 4 | 5;
  port: number;
  qos: QoS;
  mode: Mode;
  count: number;
  warmup: number;
  /** Given: a CPU profile of the measured part (from go to report) is written to this file. */
  profile?: string;
}

/** Parent to child. */
export type Command =
  | { type: 'warmup' } // publisher: publish the warm-up messages
  | { type: 'go' } // both: start measuring; the publisher publishes `count` messages
  | { type: 'publisherDone' } // subscriber: stop after 2 s without a message
  | { type: 'report' } // both: answer with CPU and memory
  | { type: 'exit' };

/** Child to parent. */
export type Reply =
  | { type: 'ready'; rssKiB: number }
  | { type: 'warmedUp'; received?: number }
  | { type: 'published'; startedAt: string; finishedAt: string }
  | { type: 'received'; received: number; duplicates: number; firstAt: string; lastAt: string }
  | { type: 'report'; cpuMicros: number; systemMicros: number; readCalls: number; writeCalls: number; maxRssKiB: number }
  | { type: 'note'; message: string }
  | { type: 'error'; message: string };

// A message's payload: its sequence number (big-endian uint32) in bytes 0-3, 1 in byte 4 for a
// warm-up message, the rest filler.
export function payloadOf(sequence: number, warmup: boolean): Uint8Array {
  const payload = new Uint8Array(PAYLOAD_BYTES).fill(0x61);
  writeHeader(payload, sequence, warmup);
  return payload;
}

export function writeHeader(payload: Uint8Array, sequence: number, warmup: boolean): void {
  payload[0] = sequence >>> 24;
  payload[1] = (sequence >>> 16) & 0xff;
  payload[2] = (sequence >>> 8) & 0xff;
  payload[3] = sequence & 0xff;
  payload[4] = warmup ? 1 : 0;
}

export function sequenceOf(payload: Uint8Array): number {
  return ((payload[0]! << 24) | (payload[1]! << 16) | (payload[2]! << 8) | payload[3]!) >>> 0;
}

export function isWarmup(payload: Uint8Array): boolean {
  return payload[4] === 1;
}

/**
 * Runs `count` operations, at most `window` unsettled at once. `start(i, done)` begins operation
 * i and calls `done` when it settles, possibly synchronously (MQTT.js calls a QoS 0 publish back
 * at once): the loop never recurses, however the callbacks come.
 */
export function drive(count: number, window: number, start: (i: number, done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    if (count === 0) return resolve();
    let sent = 0;
    let settled = 0;
    let running = false;
    const done = (): void => {
      settled++;
      if (settled === count) resolve();
      else if (!running) next();
    };
    const next = (): void => {
      running = true;
      while (sent < count && sent - settled < window) start(sent++, done);
      running = false;
    };
    next();
  });
}
