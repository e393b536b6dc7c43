// mqtts:// and wss:// against the reference broker, with a certificate made for this run (no
// private key is committed). Verification is on by default: an unknown certificate is refused.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { connect } from '@courier/node';
import { testCertificate } from '../../packages/node-transport/test/test-certificate';

let broker: Broker;
let ca: string;

beforeAll(async () => {
  const { cert, key } = await testCertificate();
  ca = cert;
  broker = await createBroker({ port: 0, tls: { cert, key }, tlsPort: 0, wssPort: 0 });
});
afterAll(() => broker.close());

describe.each(['mqtts', 'wss'] as const)('%s://', (scheme) => {
  const url = () => `${scheme}://localhost:${scheme === 'mqtts' ? broker.tlsPort : broker.wssPort}`;

  test('connects when the certificate is trusted, and a QoS 2 message makes the round trip', async () => {
    const client = await connect(url(), { ca, clientId: `tls-${scheme}` });
    try {
      await client.subscribe('secure/#', { qos: 2 });
      const received = new Promise<string>((resolve) => client.on('message', (m) => resolve(new TextDecoder().decode(m.payload))));
      await client.publish('secure/1', 'encrypted', { qos: 2 });
      expect(await received).toBe('encrypted');
    } finally {
      await client.end();
    }
  });

  test('refuses a certificate no trusted authority signed, by default', async () => {
    await expect(connect(url(), { clientId: `untrusted-${scheme}` })).rejects.toMatchObject({
      code: 'ERR_CONNECTION',
      cause: expect.objectContaining({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/) }),
    });
  });

  test('refuses a certificate made for another name', async () => {
    await expect(connect(url(), { ca, servername: 'broker.example', clientId: `wrong-name-${scheme}` })).rejects.toMatchObject({
      code: 'ERR_CONNECTION',
      cause: expect.objectContaining({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }),
    });
  });
});
