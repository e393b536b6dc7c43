import type { CreateClientOptions } from './client-options';
import { MqttClient } from './mqtt-client';

/**
 * Resolves with `client` once its first connection is accepted; when that fails (refused,
 * unreachable, timed out), ends the client and rejects with the error. What `connect(url)` does.
 */
export async function connectedClient(client: MqttClient): Promise<MqttClient> {
  try {
    await client.whenConnected();
    return client;
  } catch (error) {
    await client.end({ force: true });
    throw error;
  }
}

/** Creates a client that connects through `options.transport` at once and reconnects by itself. */
export function createClient(options: CreateClientOptions): MqttClient {
  return new MqttClient(options);
}
