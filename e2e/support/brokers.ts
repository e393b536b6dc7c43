import { createBroker, type Broker } from '@courier/broker';
import { startMosquitto } from './mosquitto';

/** A broker the end-to-end tests run against, with the URL of each transport. */
export interface BrokerUnderTest {
  name: 'reference' | 'mosquitto';
  url(transport: 'tcp' | 'ws'): string;
  stop(): Promise<void>;
  /** The reference broker itself (tap, faults), when it is the one. */
  reference?: Broker;
}

export async function startBroker(name: BrokerUnderTest['name']): Promise<BrokerUnderTest> {
  if (name === 'mosquitto') {
    const mosquitto = await startMosquitto();
    return {
      name,
      url: (transport) => (transport === 'tcp' ? `mqtt://127.0.0.1:${mosquitto.port}` : `ws://127.0.0.1:${mosquitto.wsPort}/mqtt`),
      stop: () => mosquitto.stop(),
    };
  }
  const reference = await createBroker({ port: 0, wsPort: 0 });
  return {
    name,
    reference,
    url: (transport) => (transport === 'tcp' ? `mqtt://127.0.0.1:${reference.port}` : `ws://127.0.0.1:${reference.wsPort}/mqtt`),
    stop: () => reference.close(),
  };
}
