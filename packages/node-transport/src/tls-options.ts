/** TLS settings for mqtts:// and wss://. Certificates are verified unless `rejectUnauthorized` is false. */
export interface TlsOptions {
  /** Certificate authorities to trust instead of Node's defaults (PEM). */
  ca?: string | Buffer | (string | Buffer)[];
  /** A client certificate and its key (PEM), for brokers that ask for one. */
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  /** The name to verify the broker's certificate against (default: the URL's host). */
  servername?: string;
  /** false turns certificate verification off. Default true: never turn it off in production. */
  rejectUnauthorized?: boolean;
}

/** The TLS options that Node's tls.connect and ws take, with verification on unless turned off. */
export function tlsConnectOptions(host: string, options: TlsOptions): Record<string, unknown> {
  const { ca, cert, key, passphrase, servername, rejectUnauthorized = true } = options;
  const result: Record<string, unknown> = { rejectUnauthorized };
  if (ca !== undefined) result.ca = ca;
  if (cert !== undefined) result.cert = cert;
  if (key !== undefined) result.key = key;
  if (passphrase !== undefined) result.passphrase = passphrase;
  // SNI takes a host name, never an IP address (RFC 6066, 3).
  const name = servername ?? (/^[\d.]+$|:/.test(host) ? undefined : host);
  if (name !== undefined) result.servername = name;
  return result;
}
