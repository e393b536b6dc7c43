import type { Message, MqttClient, ProtocolVersion } from '@courier/core';

/** Where a lazy client keeps the client it loaded. */
const LOADED = Symbol('courier.loaded');

type Loadable = MqttClient & { [LOADED]?: MqttClient | undefined };

/**
 * A client whose code loads on first use (the sharing code of `@courier/browser`, kept out of
 * the start chunk): the calls made before it has loaded wait for it, in order; handlers added
 * before are added to it once it has.
 */
export function lazyClient(load: () => Promise<MqttClient>, clientId: string, protocolVersion: ProtocolVersion): MqttClient {
  let loaded: MqttClient | undefined;
  const queued: [keyof MqttClient, unknown[]][] = [];
  const ready = load().then((client) => {
    loaded = client;
    for (const [method, args] of queued.splice(0)) (client[method] as (...a: unknown[]) => unknown)(...args);
    return client;
  });
  const later =
    <K extends 'whenConnected' | 'publish' | 'subscribe' | 'unsubscribe' | 'pending' | 'delivered' | 'end'>(method: K) =>
    (...args: unknown[]) =>
      ready.then((client) => (client[method] as (...a: unknown[]) => unknown)(...args));
  const listen =
    (method: 'on' | 'once' | 'off' | 'removeListener') =>
    (...args: unknown[]) => {
      if (loaded !== undefined) (loaded[method] as (...a: unknown[]) => unknown)(...args);
      else queued.push([method, args]);
      return api;
    };
  const api = {
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
    on: listen('on'),
    once: listen('once'),
    off: listen('off'),
    removeListener: listen('removeListener'),
    whenConnected: later('whenConnected'),
    publish: later('publish'),
    subscribe: later('subscribe'),
    unsubscribe: later('unsubscribe'),
    pending: later('pending'),
    delivered: later('delivered'),
    end: later('end'),
    // Before the code has loaded, a bad filter rejects the first next() instead of throwing here.
    messages(filter?: string, options?: object): AsyncIterableIterator<Message> {
      if (loaded !== undefined) return loaded.messages(filter, options);
      return (async function* () {
        yield* (await ready).messages(filter, options);
      })();
    },
  };
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
