import { type Broker, type BrokerOptions, createBroker } from '@courier/broker';
import { startMosquitto } from './mosquitto';

/** A broker the end-to-end tests run against, with the URL of each transport. */
export interface BrokerUnderTest {
  name: 'reference' | 'mosquitto';
  url(transport: 'tcp' | 'ws'): string;
  stop(): Promise<void>;
  /** The reference broker itself (tap, faults), when it is the one. */
  reference?: Broker;
}

/** Starts the broker `name`; `reference` options apply to the reference broker only. */
export async function startBroker(name: BrokerUnderTest['name'], reference: BrokerOptions = {}): Promise<BrokerUnderTest> {
  if (name === 'mosquitto') {
    const mosquitto = await startMosquitto();
    return {
      name,
      url: (transport) => (transport === 'tcp' ? `mqtt://127.0.0.1:${mosquitto.port}` : `ws://127.0.0.1:${mosquitto.wsPort}/mqtt`),
      stop: () => mosquitto.stop(),
    };
  }
  const broker = await createBroker({ port: 0, wsPort: 0, ...reference });
  return {
    name,
    reference: broker,
    url: (transport) => (transport === 'tcp' ? `mqtt://127.0.0.1:${broker.port}` : `ws://127.0.0.1:${broker.wsPort}/mqtt`),
    stop: () => broker.close(),
  };
}
