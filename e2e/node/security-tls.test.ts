// Certificate verification in Node is on unless turned off by name. e2e/node/tls.test.ts shows
// the default: a self-signed broker certificate is refused on mqtts:// and wss://, and accepted
// with its `ca`. Here: an option left undefined does not turn verification off, another
// authority's `ca` does not vouch for the broker, and `rejectUnauthorized: false` is the one way
// to connect to an unverified broker.
import selfsigned from 'selfsigned';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Broker, createBroker } from '@courier/broker';
import { connect, type NodeClientOptions } from '@courier/node';
import { testCertificate } from '../../packages/node-transport/test/test-certificate';

let broker: Broker;
let otherCa: string;

beforeAll(async () => {
  const { cert, key } = await testCertificate();
  broker = await createBroker({ port: 0, tls: { cert, key }, tlsPort: 0, wssPort: 0 });
  const other = (await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec' })) as { cert: string };
  otherCa = other.cert;
});
afterAll(() => broker.close());

describe.each(['mqtts', 'wss'] as const)('%s://', (scheme) => {
  const url = () => `${scheme}://localhost:${scheme === 'mqtts' ? broker.tlsPort : broker.wssPort}`;
  const refused = { code: 'ERR_CONNECTION', cause: expect.objectContaining({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/) }) };

  test('rejectUnauthorized: undefined still verifies', async () => {
    // As a JavaScript caller or a configuration file may pass it.
    const options = { clientId: `undefined-${scheme}`, reconnect: false, rejectUnauthorized: undefined } as unknown as NodeClientOptions;
    await expect(connect(url(), options)).rejects.toMatchObject(refused);
  });

  test("another authority's ca does not vouch for the broker", async () => {
    await expect(connect(url(), { clientId: `other-ca-${scheme}`, reconnect: false, ca: otherCa })).rejects.toMatchObject(refused);
  });

  test('rejectUnauthorized: false, and only that, connects without verification', async () => {
    const client = await connect(url(), { clientId: `unverified-${scheme}`, reconnect: false, rejectUnauthorized: false });
    await client.end();
  });
});
