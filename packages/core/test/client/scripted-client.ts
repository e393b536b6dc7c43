// A client on a ScriptedBroker with a fake clock, for the client's unit tests; `endClients` in
// afterEach ends every client made or tracked here.
import { createClient, type ClientEvents, type CreateClientOptions, type MqttClient } from '@courier/core';
import { ManualClock } from '@courier/core/testing';
import { ScriptedBroker } from './scripted-broker';

const clients: MqttClient[] = [];

/** Ends, by force, every client made by `setup` or given to `track` since the last call. */
export async function endClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((client) => client.end({ force: true })));
}

/** A client made elsewhere, to be ended by `endClients`. */
export function track(client: MqttClient): void {
  clients.push(client);
}

export function setup(options: Partial<CreateClientOptions> = {}) {
  const broker = new ScriptedBroker();
  const clock = new ManualClock();
  const client = createClient({ transport: broker.transport, clock, clientId: 'c1', random: () => 0.5, ...options });
  clients.push(client);
  return { broker, clock, client };
}

/** Every payload of `event` the client emits from now on. */
export function record<K extends keyof ClientEvents>(client: MqttClient, event: K): ClientEvents[K][] {
  const seen: ClientEvents[K][] = [];
  client.on(event, (payload) => seen.push(payload));
  return seen;
}
