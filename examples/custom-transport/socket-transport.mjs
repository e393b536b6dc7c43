// @ts-check
// A Transport written only against Courier's port interface (`Transport`, `Connection`,
// `TransportHandlers` from @courier/core), over a TCP socket with Node's `net` API. It is the
// shape a host without a built-in transport needs: React Native's react-native-tcp-socket
// exposes the same API (createConnection, 'data', 'drain', 'close', end, destroy), so this file
// is most of an MQTT-over-TCP transport for an app; Courier's own tcpTransport (@courier/node)
// adds TLS and more.
import { createConnection } from 'node:net';

const NOT_WRITTEN = 'the connection closed before these bytes were written';

/**
 * MQTT over TCP to `host:port`. Each `connect` opens a new socket: the client calls it again to
 * reconnect.
 * @param {{ host: string, port: number }} address
 * @returns {import('@courier/core').Transport}
 */
export function socketTransport({ host, port }) {
  return {
    connect(handlers) {
      return new Promise((resolve, reject) => {
        const socket = createConnection({ host, port });
        socket.setNoDelay(true);
        // Until it opens, a failure rejects connect() and is not a close [the port's contract].
        const refused = (/** @type {Error} */ error) => reject(error);
        socket.once('error', refused);
        socket.once('connect', () => {
          socket.off('error', refused);
          resolve(openConnection(socket, handlers));
        });
      });
    },
  };
}

/**
 * The open socket as a Connection: bytes both ways, back-pressure, one close notice.
 * @param {import('node:net').Socket} socket
 * @param {import('@courier/core').TransportHandlers} handlers
 * @returns {import('@courier/core').Connection}
 */
function openConnection(socket, handlers) {
  let closed = false;
  /** @type {Error | undefined} */
  let failure;
  // A Buffer is a Uint8Array; the view hands the client plain bytes that it may keep.
  socket.on('data', (chunk) => handlers.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)));
  socket.on('drain', () => handlers.drain());
  socket.on('error', (error) => (failure = error));
  socket.once('close', () => {
    closed = true;
    handlers.close(failure);
  });
  return {
    write(bytes, onWritten) {
      if (closed || socket.writableEnded) {
        // Never throw from write: say it through the callback, after write has returned.
        if (onWritten !== undefined) queueMicrotask(() => onWritten(new Error(NOT_WRITTEN)));
        return false;
      }
      // Node calls write callbacks in order, once the bytes are handed to the operating system,
      // or with an error when the socket is destroyed first: what onWritten asks for.
      return socket.write(bytes, onWritten === undefined ? undefined : (error) => onWritten(error ?? undefined));
    },
    close() {
      // A graceful end: what was written (a DISCONNECT, say) goes out first. Twice is harmless.
      if (!socket.writableEnded) socket.end();
    },
  };
}
