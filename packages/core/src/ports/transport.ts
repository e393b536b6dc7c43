/** What a transport tells the client about one connection; a transport calls these as its socket reports. */
export interface TransportHandlers {
  /**
   * Bytes arrived. The chunk is the client's to keep: the transport does not reuse it.
   *
   * Returns true when they held only QoS 0 messages and the client awaits nothing from the
   * broker: reading a little later then costs those messages latency and nothing else, so a
   * transport may wait before its next read and take a fast stream in fewer, larger reads.
   */
  data(chunk: Uint8Array): boolean | void;
  /** The open connection closed, for any reason; called once. `error` says why, when it failed. Not called when `connect` rejects. */
  close(error?: Error): void;
  /** The connection can take more bytes after `write` returned false. */
  drain(): void;
}

/** One open connection, as `Transport.connect` resolves with it; implement it when writing a transport. */
export interface Connection {
  /**
   * Queues bytes to send, in order. Returns false when the caller should wait for `drain`
   * before writing more (the bytes given are still queued).
   *
   * `onWritten`, when given, is called once, in write order: without an argument once the bytes
   * have been handed to the operating system (or, in a browser, to its WebSocket), with an error
   * when the connection closed before they could be. A transport that batches writes calls it
   * at the flush, not before: `await publish(qos 0); process.exit()` must lose nothing.
   */
  write(bytes: Uint8Array, onWritten?: (error?: Error) => void): boolean;
  /**
   * Closes the connection once the bytes already written are sent (a graceful end, so that a
   * DISCONNECT written just before gets out); `handlers.close` follows. Safe to call twice.
   */
  close(): void;
}

/**
 * A way to reach a broker: TCP, TLS, WebSocket, or memory in tests. Each call to `connect`
 * opens a new connection (the client reconnects through the same transport). Every
 * implementation runs the contract suite in `@courier/core/testing`.
 */
export interface Transport {
  /** Opens a connection; resolves once bytes can be written, rejects when it cannot be opened. */
  connect(handlers: TransportHandlers): Promise<Connection>;
}
