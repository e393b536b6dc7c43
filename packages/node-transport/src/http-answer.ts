// A server's first bytes that begin "HTTP/" are an HTTP answer, never MQTT: a broker's first
// packet is CONNACK (0x20), and "H" (0x48) would be a PUBACK with reserved flag bits set. It is
// what an mqtt:// client gets from a WebSocket port, whose HTTP server refuses the CONNECT.

const PREFIX = 'HTTP/';

/**
 * What the first bytes from a server say: `'mqtt'` (pass them on), `'undecided'` (a prefix of
 * "HTTP/" so far: wait for more), or the HTTP status line the server answered with.
 */
export function httpAnswer(bytes: Uint8Array): 'mqtt' | 'undecided' | { statusLine: string } {
  const length = Math.min(bytes.length, PREFIX.length);
  for (let i = 0; i < length; i += 1) if (bytes[i] !== PREFIX.charCodeAt(i)) return 'mqtt';
  if (bytes.length < PREFIX.length) return 'undecided';
  const text = new TextDecoder().decode(bytes.subarray(0, 200));
  const end = text.indexOf('\r\n');
  return { statusLine: end < 0 ? text : text.slice(0, end) };
}

/** The error for an mqtt:// or mqtts:// connection answered in HTTP, with the URL to use instead. */
export function wrongPortError(host: string, port: number, tls: boolean, statusLine: string): Error {
  const [asked, instead] = tls ? ['mqtts', 'wss'] : ['mqtt', 'ws'];
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Error(
    `${authority} answered in HTTP ("${statusLine}"): this port speaks WebSocket/HTTP, not MQTT over ${tls ? 'TLS' : 'TCP'}. ` +
      `Use ${instead}://${authority}/mqtt (or the path your broker serves), or the broker's ${asked}:// port`,
  );
}
