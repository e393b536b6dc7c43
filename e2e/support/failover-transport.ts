// A Transport over a list of broker URLs, for cluster tests until the client takes a URL list
// itself: each connection attempt tries every URL once, starting with the one that worked last,
// and records which one it reached.
import type { Connection, Transport, TransportHandlers } from '@courier/core';
import { transportFor } from '@courier/node';

export interface FailoverTransport extends Transport {
  /** The URL of each connection opened, in order. */
  readonly reached: string[];
}

export function failoverTransport(urls: string[]): FailoverTransport {
  const transports = urls.map((url) => transportFor(url));
  const reached: string[] = [];
  let current = 0;
  return {
    reached,
    async connect(handlers: TransportHandlers): Promise<Connection> {
      let lastError: unknown;
      for (let tried = 0; tried < urls.length; tried++) {
        const index = (current + tried) % urls.length;
        try {
          const connection = await transports[index]!.connect(handlers);
          current = index;
          reached.push(urls[index]!);
          return connection;
        } catch (error) {
          lastError = error;
        }
      }
      throw lastError;
    },
  };
}
