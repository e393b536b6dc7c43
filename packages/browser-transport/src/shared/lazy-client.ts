import type { Message, MqttClient, ProtocolVersion } from '@courier/core';

/** Where a lazy client keeps the client it loaded. */
const LOADED = Symbol('courier.loaded');

type Loadable = MqttClient & { [LOADED]?: unknown };

/**
 * A client whose code loads on first use (the sharing code of `@courier/browser`, kept out of
 * the start chunk): the calls made before it has loaded wait for it, in order; handlers added
 * before are added to it once it has.
 */
export function lazyClient(load: () => Promise<MqttClient>, clientId: string, protocolVersion: ProtocolVersion): MqttClient {
  type Method = (...args: unknown[]) => unknown;
  let loaded: Record<string, Method> | undefined;
  const queued: [string, unknown[]][] = [];
  const ready = load().then((client) => {
    loaded = client as unknown as Record<string, Method>;
    for (const [method, args] of queued.splice(0)) loaded[method]!(...args);
    return loaded;
  });
  const api: Record<string | symbol, unknown> = {
    get clientId() {
      return loaded?.clientId ?? clientId;
    },
    get protocolVersion() {
      return loaded?.protocolVersion ?? protocolVersion;
    },
    get connected() {
      return loaded?.connected ?? false;
    },
    get [LOADED]() {
      return loaded;
    },
    // Before the code has loaded, a bad filter rejects the first next() instead of throwing here.
    messages(filter?: string, options?: object): AsyncIterableIterator<Message> {
      if (loaded !== undefined) return loaded.messages!(filter, options) as AsyncIterableIterator<Message>;
      return (async function* () {
        yield* (await ready).messages!(filter, options) as AsyncIterableIterator<Message>;
      })();
    },
  };
  for (const method of ['whenConnected', 'publish', 'subscribe', 'unsubscribe', 'pending', 'delivered', 'end']) {
    api[method] = (...args: unknown[]) => ready.then((client) => client[method]!(...args));
  }
  for (const method of ['on', 'once', 'off', 'removeListener']) {
    api[method] = (...args: unknown[]) => (loaded === undefined ? queued.push([method, args]) : loaded[method]!(...args), api);
  }
  return api as unknown as MqttClient;
}

/**
 * Which context owns the connection of a client that shares its session with other tabs: its id,
 * and whether it is this tab. Undefined for a client that does not share (or before an owner
 * answered); the `owner` event says when it changes.
 */
export function connectionOwner(client: MqttClient): { owner: string; here: boolean } | undefined {
  const loaded = (client as Loadable)[LOADED];
  return (loaded as { owner?: { owner: string; here: boolean } } | undefined)?.owner;
}
