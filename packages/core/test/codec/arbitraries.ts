// fast-check generators of valid packets, in the exact form the decoder returns (reason codes
// present, empty properties absent, 5.0 subscription options spelled out), so that
// decode(encode(p)) must equal p.
import fc from 'fast-check';
import type {
  Packet,
  Properties,
  ProtocolVersion,
  QoS,
  Subscription,
  Will,
} from '@courier/core';

/** Any MQTT string: whole Unicode code points, never U+0000 [MQTT-1.5.4-2]. */
export const mqttString = (maxLength = 12) =>
  fc.string({ unit: 'binary', maxLength }).map((s) => s.replaceAll('\u0000', '\u0001'));

/** A Topic Name: at least one character, no wildcard [MQTT-3.3.2-2], [MQTT-4.7.3-1]. */
export const topicName = mqttString(20)
  .map((s) => s.replace(/[+#]/g, '_'))
  .filter((s) => s.length > 0);

/** A Topic Filter as SUBSCRIBE carries it: the codec does not judge filters, the server does. */
export const topicFilter = mqttString(20).filter((s) => s.length > 0);

const qos = fc.constantFrom<QoS>(0, 1, 2);
const packetId = fc.integer({ min: 1, max: 0xffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const nonZeroU16 = fc.integer({ min: 1, max: 0xffff });
const subscriptionId = fc.integer({ min: 1, max: 268_435_455 });
const binary = fc.uint8Array({ maxLength: 24 });

/**
 * User properties. For mqtt-packet, which keeps them in an object: pairs of one name kept
 * together, no integer-like names (objects list those first) and no empty values (its parser
 * drops a repeated name whose first value is '').
 */
export function userProperties(mqttPacketModel = false) {
  if (!mqttPacketModel) return fc.array(fc.tuple(mqttString(6), mqttString(6)), { minLength: 1, maxLength: 4 });
  const pair = fc.tuple(mqttString(6).map((name) => `k${name}`), mqttString(6).map((value) => `v${value}`));
  return fc.array(pair, { minLength: 1, maxLength: 4 }).map((list) => {
    const names = [...new Set(list.map(([name]) => name))];
    return names.flatMap((name) => list.filter(([n]) => n === name));
  });
}

const allProperties = (forMqttPacket: boolean) => ({
  payloadFormatIndicator: fc.boolean(),
  messageExpiryInterval: u32,
  contentType: mqttString(),
  responseTopic: topicName,
  correlationData: binary,
  subscriptionIdentifiers: fc.array(subscriptionId, { minLength: 1, maxLength: 3 }),
  subscriptionIdentifier: subscriptionId,
  sessionExpiryInterval: u32,
  assignedClientIdentifier: mqttString(),
  serverKeepAlive: u16,
  authenticationMethod: mqttString(),
  authenticationData: binary,
  requestProblemInformation: fc.boolean(),
  willDelayInterval: u32,
  requestResponseInformation: fc.boolean(),
  responseInformation: mqttString(),
  serverReference: mqttString(),
  reasonString: mqttString(),
  receiveMaximum: nonZeroU16,
  topicAliasMaximum: u16,
  topicAlias: nonZeroU16,
  maximumQoS: fc.constantFrom<0 | 1>(0, 1),
  retainAvailable: fc.boolean(),
  userProperties: userProperties(forMqttPacket),
  maximumPacketSize: fc.integer({ min: 1, max: 0xffffffff }),
  wildcardSubscriptionAvailable: fc.boolean(),
  subscriptionIdentifierAvailable: fc.boolean(),
  sharedSubscriptionAvailable: fc.boolean(),
});

type PropertyName = keyof Properties;

/** Properties allowed in one packet, or `undefined` (never `{}`, which decodes as absent). */
function properties(version: ProtocolVersion, names: PropertyName[], forMqttPacket: boolean): fc.Arbitrary<Properties | undefined> {
  if (version === 4) return fc.constant(undefined);
  const all: Record<string, fc.Arbitrary<unknown>> = allProperties(forMqttPacket);
  const model = Object.fromEntries(names.map((name) => [name, all[name]!]));
  const record = fc.record(model, { requiredKeys: [] }).filter((p) => Object.keys(p).length > 0);
  return fc.option(record as fc.Arbitrary<Properties>, { nil: undefined });
}

function withProperties<T extends object>(packet: T, props: object | undefined): T {
  return props === undefined ? packet : { ...packet, properties: props };
}

const V5_REASONS = {
  connack: [0x00, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8c, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f],
  puback: [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99],
  pubrel: [0x00, 0x92],
  suback: [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2],
  unsuback: [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91],
  disconnect: [0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2],
  auth: [0x00, 0x18, 0x19],
};

export interface PacketOptions {
  /** Only packets mqtt-packet can model and encode (see `userProperties` and CONNECT below). */
  mqttPacketModel?: boolean;
}

/** Every packet type valid in `version`, in decoded form. */
export function packetArbitrary(version: ProtocolVersion, options: PacketOptions = {}): fc.Arbitrary<Packet> {
  const forMqttPacket = options.mqttPacketModel ?? false;
  const props = (...names: PropertyName[]) => properties(version, names, forMqttPacket);
  const reason = (codes: number[]) => (version === 4 ? fc.constant(0) : fc.constantFrom(...codes));

  const will: fc.Arbitrary<Will> = fc
    .tuple(
      topicName,
      binary,
      qos,
      fc.boolean(),
      props(
        'willDelayInterval',
        'payloadFormatIndicator',
        'messageExpiryInterval',
        'contentType',
        'responseTopic',
        'correlationData',
        'userProperties',
      ),
    )
    .map(([topic, payload, q, retain, p]) => withProperties({ topic, payload, qos: q, retain }, p));

  const connect = fc
    .tuple(
      mqttString(),
      fc.boolean(),
      u16,
      fc.option(mqttString(), { nil: undefined }),
      fc.option(binary, { nil: undefined }),
      fc.option(will, { nil: undefined }),
      props(
        'sessionExpiryInterval',
        'receiveMaximum',
        'maximumPacketSize',
        'topicAliasMaximum',
        'requestResponseInformation',
        'requestProblemInformation',
        'userProperties',
        'authenticationMethod',
        'authenticationData',
      ),
    )
    .map(([id, clean, keepAlive, username, password, w, p]) => {
      // mqtt-packet refuses an empty client id without clean start, which only 3.1.1 forbids
      // ([MQTT-3.1.3-7], a rule for the client, not the codec).
      const clientId = forMqttPacket && id === '' && !clean ? 'c' : id;
      const packet: Packet = { type: 'connect', protocolVersion: version, clientId, clean, keepAlive };
      if (w !== undefined) packet.will = w;
      if (username !== undefined) packet.username = username;
      // [MQTT-3.1.2-22]: 3.1.1 allows a password only with a user name; 5.0 allows it alone
      // (3.1.2.9), which mqtt-packet cannot encode.
      if (password !== undefined && (username !== undefined || (version === 5 && !forMqttPacket))) {
        packet.password = password;
      }
      return withProperties(packet, p);
    });

  const connack = fc
    .tuple(
      fc.boolean(),
      version === 4 ? fc.integer({ min: 0, max: 5 }) : fc.constantFrom(...V5_REASONS.connack),
      props(
        'sessionExpiryInterval',
        'receiveMaximum',
        'maximumQoS',
        'retainAvailable',
        'maximumPacketSize',
        'assignedClientIdentifier',
        'topicAliasMaximum',
        'reasonString',
        'userProperties',
        'wildcardSubscriptionAvailable',
        'subscriptionIdentifierAvailable',
        'sharedSubscriptionAvailable',
        'serverKeepAlive',
        'responseInformation',
        'serverReference',
        'authenticationMethod',
        'authenticationData',
      ),
    )
    .map(([present, reasonCode, p]) =>
      withProperties({ type: 'connack' as const, sessionPresent: present && reasonCode === 0, reasonCode }, p),
    );

  const publish = fc
    .tuple(
      topicName,
      fc.uint8Array({ maxLength: 300 }),
      qos,
      fc.boolean(),
      fc.boolean(),
      packetId,
      props(
        'payloadFormatIndicator',
        'messageExpiryInterval',
        'topicAlias',
        'responseTopic',
        'correlationData',
        'userProperties',
        'subscriptionIdentifiers',
        'contentType',
      ),
    )
    .map(([topic, payload, q, dup, retain, id, p]) => {
      const packet: Packet = { type: 'publish', topic, payload, qos: q, dup: dup && q > 0, retain };
      if (q > 0) packet.packetId = id;
      return withProperties(packet, p);
    });

  const ack = fc
    .tuple(fc.constantFrom('puback', 'pubrec', 'pubrel', 'pubcomp' as const), packetId, props('reasonString', 'userProperties'))
    .chain(([type, id, p]) =>
      reason(type === 'puback' || type === 'pubrec' ? V5_REASONS.puback : V5_REASONS.pubrel).map((reasonCode) =>
        withProperties({ type, packetId: id, reasonCode }, p),
      ),
    );

  const subscription: fc.Arbitrary<Subscription> = fc
    .tuple(topicFilter, qos, fc.boolean(), fc.boolean(), fc.constantFrom<0 | 1 | 2>(0, 1, 2))
    .map(([filter, q, noLocal, retainAsPublished, retainHandling]) =>
      version === 4
        ? { topicFilter: filter, qos: q }
        : { topicFilter: filter, qos: q, noLocal, retainAsPublished, retainHandling },
    );

  const subscribe = fc
    .tuple(packetId, fc.array(subscription, { minLength: 1, maxLength: 4 }), props('subscriptionIdentifier', 'userProperties'))
    .map(([id, subscriptions, p]) => withProperties({ type: 'subscribe' as const, packetId: id, subscriptions }, p));

  const suback = fc
    .tuple(
      packetId,
      fc.array(version === 4 ? fc.constantFrom(0, 1, 2, 0x80) : fc.constantFrom(...V5_REASONS.suback), {
        minLength: 1,
        maxLength: 4,
      }),
      props('reasonString', 'userProperties'),
    )
    .map(([id, reasonCodes, p]) => withProperties({ type: 'suback' as const, packetId: id, reasonCodes }, p));

  const unsubscribe = fc
    .tuple(packetId, fc.array(topicFilter, { minLength: 1, maxLength: 4 }), props('userProperties'))
    .map(([id, topicFilters, p]) => withProperties({ type: 'unsubscribe' as const, packetId: id, topicFilters }, p));

  const unsuback =
    version === 4
      ? packetId.map((id): Packet => ({ type: 'unsuback', packetId: id }))
      : fc
          .tuple(
            packetId,
            fc.array(fc.constantFrom(...V5_REASONS.unsuback), { minLength: 1, maxLength: 4 }),
            props('reasonString', 'userProperties'),
          )
          .map(([id, reasonCodes, p]) => withProperties({ type: 'unsuback' as const, packetId: id, reasonCodes }, p));

  // mqtt-packet's table of DISCONNECT reason codes lacks 0x8C (Bad authentication method).
  const disconnectReasons = forMqttPacket ? V5_REASONS.disconnect.filter((code) => code !== 0x8c) : V5_REASONS.disconnect;
  const disconnect = fc
    .tuple(reason(disconnectReasons), props('sessionExpiryInterval', 'reasonString', 'userProperties', 'serverReference'))
    .map(([reasonCode, p]) => withProperties({ type: 'disconnect' as const, reasonCode }, p));

  const auth = fc
    .tuple(
      fc.constantFrom(...V5_REASONS.auth),
      props('authenticationMethod', 'authenticationData', 'reasonString', 'userProperties'),
    )
    .map(([reasonCode, p]) => withProperties({ type: 'auth' as const, reasonCode }, p));

  const ping = fc.constantFrom<Packet>({ type: 'pingreq' }, { type: 'pingresp' });

  const all: fc.Arbitrary<Packet>[] = [
    connect,
    connack,
    publish,
    publish,
    ack,
    subscribe,
    suback,
    unsubscribe,
    unsuback,
    ping,
    disconnect,
  ];
  if (version === 5) all.push(auth);
  return fc.oneof(...all);
}

/** Splits `bytes` into chunks at random places (some empty, some single bytes). */
export function chunkings(bytes: Uint8Array): fc.Arbitrary<Uint8Array[]> {
  return fc
    .uniqueArray(fc.integer({ min: 0, max: bytes.length }), { maxLength: 8 })
    .map((cuts) => {
      const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
      const chunks: Uint8Array[] = [];
      for (let i = 1; i < points.length; i++) chunks.push(bytes.slice(points[i - 1], points[i]));
      return chunks;
    });
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
