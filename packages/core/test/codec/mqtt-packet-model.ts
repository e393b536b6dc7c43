// Translation between Courier's packet model and mqtt-packet's, for the differential tests.
import type { Packet, Properties, ProtocolVersion } from '@courier/core';

type Loose = Record<string, unknown>;

const RENAMED: Record<string, string> = { subscriptionIdentifierAvailable: 'subscriptionIdentifiersAvailable' };
const RENAMED_BACK: Record<string, string> = { subscriptionIdentifiersAvailable: 'subscriptionIdentifierAvailable' };

const toBuffer = (bytes: Uint8Array) => Buffer.from(bytes);
const toBytes = (buffer: unknown) => Uint8Array.from(buffer as Uint8Array);

function propertiesToMqtt(props: Properties | undefined): Loose | undefined {
  if (props === undefined) return undefined;
  const out: Loose = {};
  for (const [name, value] of Object.entries(props)) {
    if (name === 'userProperties') {
      const grouped: Record<string, string | string[]> = Object.create(null);
      for (const [key, v] of value as [string, string][]) {
        const existing = grouped[key];
        grouped[key] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v] : [existing, v];
      }
      out.userProperties = grouped;
    } else if (name === 'subscriptionIdentifiers') {
      const ids = value as number[];
      out.subscriptionIdentifier = ids.length === 1 ? ids[0] : ids;
    } else {
      out[RENAMED[name] ?? name] = value instanceof Uint8Array ? toBuffer(value) : value;
    }
  }
  return out;
}

function propertiesFromMqtt(props: unknown, inPublish: boolean): Properties | undefined {
  if (props === undefined) return undefined;
  const out: Loose = {};
  for (const [name, value] of Object.entries(props as Loose)) {
    if (name === 'userProperties') {
      out.userProperties = Object.entries(value as Loose).flatMap(([key, v]) =>
        (Array.isArray(v) ? v : [v]).map((each) => [key, each]),
      );
    } else if (name === 'subscriptionIdentifier' && inPublish) {
      out.subscriptionIdentifiers = Array.isArray(value) ? value : [value];
    } else {
      out[RENAMED_BACK[name] ?? name] = Buffer.isBuffer(value) ? toBytes(value) : value;
    }
  }
  return out as Properties;
}

function withProperties(target: Loose, props: unknown): Loose {
  if (props !== undefined) target.properties = props;
  return target;
}

export function toMqttPacket(packet: Packet): Loose {
  const props = propertiesToMqtt(packet.type === 'pingreq' || packet.type === 'pingresp' ? undefined : packet.properties);
  switch (packet.type) {
    case 'connect': {
      const out: Loose = {
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: packet.protocolVersion,
        clean: packet.clean,
        clientId: packet.clientId,
        keepalive: packet.keepAlive,
      };
      if (packet.username !== undefined) out.username = packet.username;
      if (packet.password !== undefined) out.password = toBuffer(packet.password);
      if (packet.will !== undefined) {
        const { topic, payload, qos, retain } = packet.will;
        out.will = withProperties({ topic, payload: toBuffer(payload), qos, retain }, propertiesToMqtt(packet.will.properties));
      }
      return withProperties(out, props);
    }
    case 'connack':
      return withProperties(
        packet.properties === undefined && packet.reasonCode <= 5 && !('v5' in packet)
          ? { cmd: 'connack', sessionPresent: packet.sessionPresent, returnCode: packet.reasonCode, reasonCode: packet.reasonCode }
          : { cmd: 'connack', sessionPresent: packet.sessionPresent, reasonCode: packet.reasonCode },
        props,
      );
    case 'publish': {
      const out: Loose = { cmd: 'publish', topic: packet.topic, payload: toBuffer(packet.payload), qos: packet.qos, dup: packet.dup, retain: packet.retain };
      if (packet.packetId !== undefined) out.messageId = packet.packetId;
      return withProperties(out, props);
    }
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return withProperties({ cmd: packet.type, messageId: packet.packetId, reasonCode: packet.reasonCode ?? 0 }, props);
    case 'subscribe':
      return withProperties(
        {
          cmd: 'subscribe',
          messageId: packet.packetId,
          subscriptions: packet.subscriptions.map((s) => ({
            topic: s.topicFilter,
            qos: s.qos,
            nl: s.noLocal ?? false,
            rap: s.retainAsPublished ?? false,
            rh: s.retainHandling ?? 0,
          })),
        },
        props,
      );
    case 'suback':
      return withProperties({ cmd: 'suback', messageId: packet.packetId, granted: packet.reasonCodes }, props);
    case 'unsubscribe':
      return withProperties({ cmd: 'unsubscribe', messageId: packet.packetId, unsubscriptions: packet.topicFilters }, props);
    case 'unsuback':
      return withProperties(
        packet.reasonCodes === undefined
          ? { cmd: 'unsuback', messageId: packet.packetId }
          : { cmd: 'unsuback', messageId: packet.packetId, granted: packet.reasonCodes },
        props,
      );
    case 'pingreq':
    case 'pingresp':
      return { cmd: packet.type };
    case 'disconnect':
    case 'auth':
      return withProperties({ cmd: packet.type, reasonCode: packet.reasonCode ?? 0 }, props);
  }
}

/** mqtt-packet's parse result in Courier's model (its bookkeeping fields dropped). */
export function fromMqttPacket(m: Loose, version: ProtocolVersion): Packet {
  const props = propertiesFromMqtt(m.properties, m.cmd === 'publish');
  const withProps = <T extends Loose>(packet: T) => (props === undefined ? packet : { ...packet, properties: props });
  switch (m.cmd) {
    case 'connect': {
      const out: Loose = {
        type: 'connect',
        protocolVersion: m.protocolVersion,
        clientId: m.clientId,
        clean: m.clean,
        keepAlive: m.keepalive,
      };
      const will = m.will as Loose | undefined;
      if (will !== undefined) {
        const w: Loose = { topic: will.topic, payload: toBytes(will.payload), qos: will.qos, retain: will.retain };
        const willProps = propertiesFromMqtt(will.properties, false);
        if (willProps !== undefined) w.properties = willProps;
        out.will = w;
      }
      if (m.username !== undefined) out.username = m.username;
      if (m.password !== undefined) out.password = toBytes(m.password);
      return withProps(out) as unknown as Packet;
    }
    case 'connack':
      return withProps({ type: 'connack', sessionPresent: m.sessionPresent, reasonCode: version === 4 ? m.returnCode : m.reasonCode }) as unknown as Packet;
    case 'publish': {
      const out: Loose = { type: 'publish', topic: m.topic, payload: toBytes(m.payload), qos: m.qos, dup: m.dup, retain: m.retain };
      if ((m.qos as number) > 0) out.packetId = m.messageId;
      return withProps(out) as unknown as Packet;
    }
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
      return withProps({ type: m.cmd, packetId: m.messageId, reasonCode: m.reasonCode ?? 0 }) as unknown as Packet;
    case 'subscribe':
      return withProps({
        type: 'subscribe',
        packetId: m.messageId,
        subscriptions: (m.subscriptions as Loose[]).map((s) =>
          version === 4
            ? { topicFilter: s.topic, qos: s.qos }
            : { topicFilter: s.topic, qos: s.qos, noLocal: s.nl, retainAsPublished: s.rap, retainHandling: s.rh },
        ),
      }) as unknown as Packet;
    case 'suback':
      return withProps({ type: 'suback', packetId: m.messageId, reasonCodes: m.granted }) as unknown as Packet;
    case 'unsubscribe':
      return withProps({ type: 'unsubscribe', packetId: m.messageId, topicFilters: m.unsubscriptions }) as unknown as Packet;
    case 'unsuback':
      return withProps(
        version === 4 ? { type: 'unsuback', packetId: m.messageId } : { type: 'unsuback', packetId: m.messageId, reasonCodes: m.granted },
      ) as unknown as Packet;
    case 'pingreq':
    case 'pingresp':
      return { type: m.cmd } as Packet;
    default:
      return withProps({ type: m.cmd, reasonCode: m.reasonCode ?? 0 }) as unknown as Packet;
  }
}
