/**
 * The error for a WebSocket upgrade that got no HTTP answer: the server hung up on it, or
 * answered with bytes that are not HTTP. An MQTT over TCP port does either (it reads the GET as
 * a malformed packet and closes), so the message names that likely cause; other errors pass as they are.
 */
export function upgradeRefused(url: string, error: Error & { code?: string }): Error {
  const hungUp = error.code === 'ECONNRESET' || error.message === 'socket hang up';
  const notHttp = typeof error.code === 'string' && error.code.startsWith('HPE_');
  if (!hungUp && !notHttp) return error;
  const { protocol, host } = new URL(url);
  const tcp = protocol === 'wss:' ? 'mqtts' : 'mqtt';
  return new Error(
    `${url}: the server ${hungUp ? 'hung up on' : 'answered without HTTP to'} the WebSocket upgrade (${error.message}): ` +
      `this port does not speak WebSocket. An MQTT over TCP port does this: use ${tcp}://${host} there, or the broker's WebSocket port`,
    { cause: error },
  );
}
