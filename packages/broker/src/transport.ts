/** What a transport reports to its connection. */
export interface TransportEvents {
  /** Bytes from the client. */
  data(chunk: Uint8Array): void;
  /** The transport was congested and can take more now. */
  drain(): void;
  /** The transport has closed, from either side; called once. */
  closed(): void;
}

/**
 * A byte stream to one client, TCP or WebSocket. Small on purpose: the connection above it owns
 * every decision, a transport only moves bytes.
 */
export interface Transport {
  readonly kind: 'tcp' | 'ws';
  /** "127.0.0.1:50123". */
  readonly remoteAddress: string;
  start(events: TransportEvents): void;
  write(bytes: Uint8Array): void;
  /** True when written bytes wait beyond the high-water mark. */
  readonly congested: boolean;
  /** 'flush' closes once what was written is sent; 'abort' closes now, as a network failure. */
  close(mode: 'flush' | 'abort'): void;
  /** Stops reading from the client (back-pressure), until `resume`. */
  pause(): void;
  resume(): void;
}

/** Bytes written to one client and not yet sent beyond which its connection counts as congested. */
export const HIGH_WATER_BYTES = 1 << 20;

/**
 * Writes waiting in one client's socket beyond which it counts as congested too: a waiting write
 * costs some 40 bytes of memory however small it is, so a million 2-byte PINGRESPs would pass the
 * byte limit while holding 40 MB.
 */
export const HIGH_WATER_WRITES = 8192;

/** How long a closing connection may wait for the client to close its side before it is cut. */
export const LINGER_MS = 2000;
