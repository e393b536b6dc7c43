// A certificate made for the test run, for localhost and 127.0.0.1; no private key is committed.
import selfsigned from 'selfsigned';

export interface TestCertificate {
  cert: string;
  key: string;
}

let made: Promise<TestCertificate> | undefined;

export function testCertificate(): Promise<TestCertificate> {
  made ??= Promise.resolve(
    selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
      keyType: 'ec',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    }),
  ).then((pems: { cert: string; private: string }) => ({ cert: pems.cert, key: pems.private }));
  return made;
}
