import { InvalidArgumentError } from '@courier/core';

/** A broker address: mqtt:// (TCP), mqtts:// (TLS), ws:// or wss:// (WebSocket). */
export interface BrokerUrl {
  scheme: 'mqtt' | 'mqtts' | 'ws' | 'wss';
  host: string;
  port: number;
  /** The WebSocket URL, for ws:// and wss://. */
  href: string;
  username?: string;
  password?: string;
}

const DEFAULT_PORTS = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 } as const;

/** Parses and checks a broker URL; anything else is an InvalidArgumentError. */
export function parseBrokerUrl(url: string | URL): BrokerUrl {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    // Never the credentials in an error message: they end up in logs.
    throw new InvalidArgumentError(`not a URL: "${String(url).replace(/\/\/.*@/, '//<credentials>@')}"`);
  }
  const scheme = parsed.protocol.slice(0, -1);
  if (scheme !== 'mqtt' && scheme !== 'mqtts' && scheme !== 'ws' && scheme !== 'wss') {
    throw new InvalidArgumentError(`unsupported scheme "${scheme}:": use mqtt://, mqtts://, ws:// or wss://`);
  }
  if (parsed.hostname === '') throw new InvalidArgumentError('the broker URL has no host');
  // URL keeps IPv6 addresses in brackets; sockets want them bare.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const result: BrokerUrl = {
    scheme,
    host,
    port: parsed.port === '' ? DEFAULT_PORTS[scheme] : Number(parsed.port),
    href: parsed.href,
  };
  if (parsed.username !== '') result.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') result.password = decodeURIComponent(parsed.password);
  // Credentials travel in CONNECT only, not also as an HTTP Basic header on the WebSocket upgrade.
  parsed.username = '';
  parsed.password = '';
  result.href = parsed.href;
  return result;
}
