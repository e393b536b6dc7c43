import { describe, expect, test } from 'vitest';
import { DecodeError, MqttError, PacketDecoder, ReasonCode, type PacketDecoderOptions } from '@courier/core';
import { fromHex } from './hex';

const { MalformedPacket, ProtocolError, TopicNameInvalid, TopicAliasInvalid, PacketTooLarge, UnsupportedProtocolVersion } =
  ReasonCode;

interface Rejection {
  name: string;
  /** Decoder options; `{}` is a server that has not seen CONNECT yet. */
  options: PacketDecoderOptions;
  hex: string;
  reasonCode: number;
}

const v4 = { version: 4 } as const;
const v5 = { version: 5 } as const;
const server = {};

// Each frame is built by hand; `#` comments name the bytes that make it wrong.
const rejections: Rejection[] = [
  // Fixed header (2.1, 2.2.3, 1.5.5)
  { name: 'a remaining length longer than four bytes', options: v4, hex: '30 ff ff ff ff 01', reasonCode: MalformedPacket },
  { name: 'a remaining length not in its shortest form [MQTT-1.5.5-1]', options: v4, hex: 'c0 80 00', reasonCode: MalformedPacket },
  { name: 'a frame over maximumPacketSize', options: { version: 4, maximumPacketSize: 8 }, hex: '30 07 0003 612f62 6869', reasonCode: PacketTooLarge },
  { name: 'reserved packet type 0', options: v4, hex: '00 00', reasonCode: MalformedPacket },
  { name: 'AUTH, which 3.1.1 does not have', options: v4, hex: 'f0 00', reasonCode: MalformedPacket },
  { name: 'PUBACK with reserved flags set [MQTT-2.1.3-1]', options: v4, hex: '41 02 0001', reasonCode: MalformedPacket },
  { name: 'PUBREL without its 0010 flags [MQTT-3.6.1-1]', options: v4, hex: '60 02 0001', reasonCode: MalformedPacket },
  { name: 'SUBSCRIBE without its 0010 flags [MQTT-3.8.1-1]', options: v4, hex: '80 06 0001 0001 61 00', reasonCode: MalformedPacket },
  { name: 'PINGREQ with a flag set', options: v4, hex: 'c1 00', reasonCode: MalformedPacket },
  { name: 'a first packet that is not CONNECT [MQTT-3.1.0-1]', options: server, hex: 'c0 00', reasonCode: ProtocolError },

  // PUBLISH (3.3)
  { name: 'PUBLISH with QoS 3 [MQTT-3.3.1-4]', options: v4, hex: '36 05 0001 61 0001', reasonCode: MalformedPacket },
  { name: 'a QoS 0 PUBLISH with DUP set [MQTT-3.3.1-2]', options: v4, hex: '38 03 0001 61', reasonCode: MalformedPacket },
  { name: 'a QoS 1 PUBLISH with no packet id', options: v4, hex: '32 03 0001 61', reasonCode: MalformedPacket },
  { name: 'a QoS 1 PUBLISH with packet id 0 [MQTT-2.3.1-1]', options: v4, hex: '32 05 0001 61 0000', reasonCode: ProtocolError },
  { name: 'a PUBLISH topic with + [MQTT-3.3.2-2]', options: v4, hex: '30 05 0003 612f2b', reasonCode: TopicNameInvalid },
  { name: 'a PUBLISH topic with # [MQTT-3.3.2-2]', options: v5, hex: '30 04 0001 23 00', reasonCode: TopicNameInvalid },
  { name: 'an empty PUBLISH topic in 3.1.1 [MQTT-4.7.3-1]', options: v4, hex: '30 02 0000', reasonCode: ProtocolError },
  { name: 'an empty PUBLISH topic without a topic alias in 5.0', options: v5, hex: '30 03 0000 00', reasonCode: ProtocolError },
  { name: 'a topic alias of 0 [MQTT-3.3.2-8]', options: v5, hex: '30 07 0001 61 03 230000', reasonCode: TopicAliasInvalid },

  // Strings (1.5.4)
  { name: 'an overlong UTF-8 form [MQTT-1.5.4-1]', options: v4, hex: '30 04 0002 c080', reasonCode: MalformedPacket },
  { name: 'a UTF-8 encoded surrogate [MQTT-1.5.4-1]', options: v4, hex: '30 05 0003 eda080', reasonCode: MalformedPacket },
  { name: 'a truncated UTF-8 sequence [MQTT-1.5.4-1]', options: v4, hex: '30 04 0002 e282', reasonCode: MalformedPacket },
  { name: 'a lone UTF-8 continuation byte [MQTT-1.5.4-1]', options: v4, hex: '30 03 0001 80', reasonCode: MalformedPacket },
  { name: 'a byte that never occurs in UTF-8, in a long string', options: v4, hex: '30 10 000e 61616161616161616161616161 ff', reasonCode: MalformedPacket },
  { name: 'U+0000 in a short string [MQTT-1.5.4-2]', options: v4, hex: '30 03 0001 00', reasonCode: MalformedPacket },
  { name: 'U+0000 in a long string [MQTT-1.5.4-2]', options: v4, hex: '30 10 000e 61616161616161616161616161 00', reasonCode: MalformedPacket },
  { name: 'a string that runs past the end of the packet', options: v4, hex: '30 04 0005 6162', reasonCode: MalformedPacket },

  // Acknowledgements (3.4 to 3.7)
  { name: 'PUBACK cut inside its packet id', options: v4, hex: '40 01 00', reasonCode: MalformedPacket },
  { name: 'PUBACK with packet id 0 [MQTT-2.3.1-1]', options: v4, hex: '40 02 0000', reasonCode: ProtocolError },
  { name: 'a 3.1.1 PUBACK with a byte after its packet id', options: v4, hex: '40 03 0001 00', reasonCode: MalformedPacket },
  { name: 'a 5.0 PUBACK with reason code 0x92, which only PUBREL and PUBCOMP use', options: v5, hex: '40 03 0001 92', reasonCode: ProtocolError },
  { name: 'a 5.0 PUBACK whose properties run past its end', options: v5, hex: '40 05 0001 00 05 1f', reasonCode: MalformedPacket },

  // Properties (2.2.2)
  { name: 'a property the packet may not carry (Session Expiry in PUBLISH)', options: v5, hex: '30 09 0001 61 05 1100000001', reasonCode: MalformedPacket },
  { name: 'an unknown property identifier', options: v5, hex: '30 05 0001 61 01 7f', reasonCode: MalformedPacket },
  { name: 'a property given twice where one is allowed', options: v5, hex: '30 0e 0001 61 0a 0200000001 0200000002', reasonCode: ProtocolError },
  { name: 'a Receive Maximum of 0', options: v5, hex: '20 06 00 00 03 210000', reasonCode: ProtocolError },
  { name: 'a Maximum Packet Size of 0', options: v5, hex: '20 08 00 00 05 2700000000', reasonCode: ProtocolError },
  { name: 'a property varint not in its shortest form [MQTT-1.5.5-1]', options: v5, hex: '82 0a 0001 03 0b8100 0001 61 00', reasonCode: MalformedPacket },
  { name: 'a subscription identifier of 0', options: v5, hex: '82 09 0001 02 0b00 0001 61 00', reasonCode: ProtocolError },
  { name: 'a 0/1 property with the value 2 (Retain Available)', options: v5, hex: '20 05 00 00 02 2502', reasonCode: ProtocolError },
  { name: 'a Maximum QoS of 2', options: v5, hex: '20 05 00 00 02 2402', reasonCode: ProtocolError },

  // SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK (3.8 to 3.11)
  { name: 'SUBSCRIBE with no topic filter [MQTT-3.8.3-3]', options: v4, hex: '82 02 0001', reasonCode: ProtocolError },
  { name: 'SUBSCRIBE with packet id 0', options: v4, hex: '82 06 0000 0001 61 00', reasonCode: ProtocolError },
  { name: 'a 3.1.1 subscription with reserved option bits [MQTT-3.8.3-4]', options: v4, hex: '82 06 0001 0001 61 04', reasonCode: MalformedPacket },
  { name: 'a 5.0 subscription with reserved option bits [MQTT-3.8.3-5]', options: v5, hex: '82 07 0001 00 0001 61 40', reasonCode: MalformedPacket },
  { name: 'a subscription asking for QoS 3 [MQTT-3.8.3-4]', options: v4, hex: '82 06 0001 0001 61 03', reasonCode: MalformedPacket },
  { name: 'a subscription with retain handling 3', options: v5, hex: '82 07 0001 00 0001 61 30', reasonCode: ProtocolError },
  { name: 'SUBACK with no reason code', options: v4, hex: '90 02 0001', reasonCode: ProtocolError },
  { name: 'a 3.1.1 SUBACK with return code 3', options: v4, hex: '90 03 0001 03', reasonCode: ProtocolError },
  { name: 'UNSUBSCRIBE with no topic filter [MQTT-3.10.3-2]', options: v4, hex: 'a2 02 0001', reasonCode: ProtocolError },
  { name: 'a 3.1.1 UNSUBACK with bytes after its packet id', options: v4, hex: 'b0 03 0001 00', reasonCode: MalformedPacket },
  { name: 'a 5.0 UNSUBACK with reason code 0x01', options: v5, hex: 'b0 04 0001 00 01', reasonCode: ProtocolError },

  // CONNECT and CONNACK (3.1, 3.2)
  { name: 'CONNECT for MQIsdp 3.1 [MQTT-3.1.2-2]', options: server, hex: '10 0e 0006 4d5149736470 03 02 003c 0000', reasonCode: UnsupportedProtocolVersion },
  { name: 'CONNECT with protocol level 6 [MQTT-3.1.2-2]', options: server, hex: '10 0c 0004 4d515454 06 02 003c 0000', reasonCode: UnsupportedProtocolVersion },
  { name: 'CONNECT with the reserved flag set [MQTT-3.1.2-3]', options: server, hex: '10 0c 0004 4d515454 04 03 003c 0000', reasonCode: MalformedPacket },
  { name: 'CONNECT with will QoS but no will [MQTT-3.1.2-11]', options: server, hex: '10 0c 0004 4d515454 04 0a 003c 0000', reasonCode: MalformedPacket },
  { name: 'CONNECT with will retain but no will [MQTT-3.1.2-13]', options: server, hex: '10 0c 0004 4d515454 04 22 003c 0000', reasonCode: MalformedPacket },
  { name: 'CONNECT with will QoS 3 [MQTT-3.1.2-12]', options: server, hex: '10 0c 0004 4d515454 04 1e 003c 0000', reasonCode: MalformedPacket },
  { name: 'a 3.1.1 CONNECT with a password and no user name [MQTT-3.1.2-22]', options: server, hex: '10 0c 0004 4d515454 04 42 003c 0000', reasonCode: MalformedPacket },
  { name: 'CONNECT with a will topic holding a wildcard', options: server, hex: '10 14 0004 4d515454 04 06 003c 0001 63 0003 612f23 0000', reasonCode: TopicNameInvalid },
  { name: 'CONNACK with reserved acknowledge flags [MQTT-3.2.2-1]', options: v4, hex: '20 02 02 00', reasonCode: MalformedPacket },
  { name: 'a refusing CONNACK that claims a session [MQTT-3.2.2-4]', options: v4, hex: '20 02 01 05', reasonCode: ProtocolError },
  { name: 'a 3.1.1 CONNACK with reserved return code 6', options: v4, hex: '20 02 00 06', reasonCode: ProtocolError },
  { name: 'a 5.0 CONNACK with reason code 0x04, which only DISCONNECT uses', options: v5, hex: '20 03 00 04 00', reasonCode: ProtocolError },

  // PINGREQ, DISCONNECT, AUTH (3.12 to 3.15)
  { name: 'PINGREQ with a body', options: v4, hex: 'c0 01 00', reasonCode: MalformedPacket },
  { name: 'a 3.1.1 DISCONNECT with a body', options: v4, hex: 'e0 01 00', reasonCode: MalformedPacket },
  { name: 'a 5.0 DISCONNECT with reason code 0x05', options: v5, hex: 'e0 01 05', reasonCode: ProtocolError },
  { name: 'AUTH with reason code 0x01', options: v5, hex: 'f0 02 01 00', reasonCode: ProtocolError },
];

describe('the decoder rejects', () => {
  test.each(rejections.map((r) => [r.name, r] as const))('%s', (_name, rejection) => {
    const decoder = new PacketDecoder(rejection.options);
    let thrown: unknown;
    try {
      decoder.push(fromHex(rejection.hex));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DecodeError);
    expect(thrown).toBeInstanceOf(MqttError);
    const error = thrown as DecodeError;
    expect(error.code).toBe('ERR_DECODE');
    expect(error.cause).toBeUndefined(); // a rule of ours refused it, not an accident
    expect({ reasonCode: error.reasonCode, message: error.message }).toEqual({
      reasonCode: rejection.reasonCode,
      message: expect.any(String),
    });
  });
});
