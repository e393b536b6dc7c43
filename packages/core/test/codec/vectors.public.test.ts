/**
 * Byte-exact MQTT test vectors, worked out by hand from the OASIS specifications:
 *   MQTT Version 3.1.1 (OASIS Standard, 29 October 2014), cited as "3.1.1 §x.y";
 *   MQTT Version 5.0 (OASIS Standard, 7 March 2019), cited as "5.0 §x.y".
 * None of these bytes was produced by our encoder. Every vector is checked both ways: encode(packet)
 * must give exactly the bytes, and decoding the bytes must give exactly [packet].
 *
 * This file runs against the sources and against the built bundle, so it imports only the
 * public entry point.
 */
import { describe, expect, it } from 'vitest';
import { encode, PacketDecoder } from '@courier/core';
import type { Packet, ProtocolVersion } from '@courier/core';

/** Hex with whitespace and `// comments` (to the end of the line) removed. */
function hex(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings.raw }, ...values);
  const digits = text.replace(/\/\/[^\n]*/g, '').replace(/\s+/g, '').toLowerCase();
  if (!/^(?:[0-9a-f]{2})*$/.test(digits)) throw new Error(`not whole bytes of hex: ${digits}`);
  return digits;
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(digits: string): Uint8Array {
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes of an ASCII string (every test string passed here is plain ASCII). */
function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Turns every binary view (payload, password, correlation data...) into a plain Uint8Array. */
function normalise(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    const view = value as ArrayBufferView;
    return Uint8Array.from(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
  }
  return value;
}

interface Vector {
  /** What the bytes are; the test names read "encodes <name> (<section>)". */
  name: string;
  /** The spec section(s) that decide the bytes, with the version: "3.1.1 §3.3" or "5.0 §3.3.2.3". */
  section: string;
  version: ProtocolVersion;
  hex: string;
  packet: Packet;
}

// The "température/€/𝄞" topic, byte by byte (UTF-8, RFC 3629):
//   t e m p            74 65 6d 70
//   é  U+00E9          110 00011 / 10 101001                      -> c3 a9
//   r a t u r e        72 61 74 75 72 65
//   /                  2f
//   €  U+20AC          1110 0010 / 10 000010 / 10 101100          -> e2 82 ac
//   /                  2f
//   𝄞  U+1D11E         11110 000 / 10 011101 / 10 000100 / 10 011110 -> f0 9d 84 9e
//   4 + 2 + 6 + 1 + 3 + 1 + 4 = 21 bytes = 0x0015
const MULTIBYTE_TOPIC = 'temp\u00e9rature/\u20ac/\u{1D11E}';

// ---------------------------------------------------------------------------------------------
// MQTT 3.1.1
// ---------------------------------------------------------------------------------------------

const v311: Vector[] = [
  // --- CONNECT (3.1.1 §3.1) ---
  {
    name: 'minimal CONNECT with clean session',
    section: '3.1.1 §3.1.2, §3.1.3.1',
    version: 4,
    hex: hex`
      10 0f                    // CONNECT (type 1, flags 0000), remaining length 15
      00 04 4d 51 54 54        // protocol name "MQTT"
      04                       // protocol level 4
      02                       // connect flags: clean session (bit 1)
      00 3c                    // keep alive 60 s
      00 03 61 62 63           // client identifier "abc"
    `,
    packet: { type: 'connect', protocolVersion: 4, clientId: 'abc', clean: true, keepAlive: 60 },
  },
  {
    name: 'CONNECT with a retained QoS 1 will, user name and password',
    section: '3.1.1 §3.1.2.3, §3.1.3',
    version: 4,
    hex: hex`
      10 24                    // CONNECT, remaining length 36
      00 04 4d 51 54 54        // protocol name "MQTT"
      04                       // protocol level 4
      ec                       // flags: user name 80 + password 40 + will retain 20 + will QoS 1 (08) + will 04
      01 2c                    // keep alive 300 s
      00 02 63 31              // client identifier "c1"
      00 03 77 2f 74           // will topic "w/t"
      00 03 62 79 65           // will message "bye"
      00 04 75 73 65 72        // user name "user"
      00 04 70 61 73 73        // password "pass"
    `,
    packet: {
      type: 'connect',
      protocolVersion: 4,
      clientId: 'c1',
      clean: false,
      keepAlive: 300,
      username: 'user',
      password: ascii('pass'),
      will: { topic: 'w/t', payload: ascii('bye'), qos: 1, retain: true },
    },
  },
  {
    name: 'CONNECT with an empty client id and a QoS 2 will with an empty message',
    section: '3.1.1 §3.1.2.6, §3.1.3.1, §3.1.3.3',
    version: 4,
    hex: hex`
      10 11                    // CONNECT, remaining length 17
      00 04 4d 51 54 54        // protocol name "MQTT"
      04                       // protocol level 4
      16                       // flags: will QoS 2 (10) + will 04 + clean session 02
      00 00                    // keep alive 0 (off)
      00 00                    // client identifier "" (allowed with clean session 1)
      00 01 61                 // will topic "a"
      00 00                    // will message: zero bytes
    `,
    packet: {
      type: 'connect',
      protocolVersion: 4,
      clientId: '',
      clean: true,
      keepAlive: 0,
      will: { topic: 'a', payload: new Uint8Array(0), qos: 2, retain: false },
    },
  },
  {
    name: 'CONNECT with a user name and no password',
    section: '3.1.1 §3.1.2.8, §3.1.2.9',
    version: 4,
    hex: hex`
      10 10                    // CONNECT, remaining length 16
      00 04 4d 51 54 54        // protocol name "MQTT"
      04                       // protocol level 4
      82                       // flags: user name 80 + clean session 02
      ff ff                    // keep alive 65535 s
      00 01 75                 // client identifier "u"
      00 01 6e                 // user name "n"
    `,
    packet: {
      type: 'connect',
      protocolVersion: 4,
      clientId: 'u',
      clean: true,
      keepAlive: 65535,
      username: 'n',
    },
  },

  // --- CONNACK (3.1.1 §3.2) ---
  {
    name: 'CONNACK accepted, no session present',
    section: '3.1.1 §3.2.2.2, §3.2.2.3',
    version: 4,
    hex: hex`
      20 02                    // CONNACK, remaining length 2
      00                       // acknowledge flags: session present 0
      00                       // return code 0x00 accepted
    `,
    packet: { type: 'connack', sessionPresent: false, reasonCode: 0 },
  },
  {
    name: 'CONNACK accepted with session present',
    section: '3.1.1 §3.2.2.2',
    version: 4,
    hex: hex`
      20 02                    // CONNACK, remaining length 2
      01                       // acknowledge flags: session present 1
      00                       // return code 0x00 accepted
    `,
    packet: { type: 'connack', sessionPresent: true, reasonCode: 0 },
  },
  ...[
    [0x01, 'unacceptable protocol version'],
    [0x02, 'identifier rejected'],
    [0x03, 'server unavailable'],
    [0x04, 'bad user name or password'],
    [0x05, 'not authorized'],
  ].map(
    ([code, meaning]): Vector => ({
      name: `CONNACK refusal 0x0${code} ${meaning}`,
      section: '3.1.1 §3.2.2.3',
      version: 4,
      hex: hex`
        20 02                  // CONNACK, remaining length 2
        00                     // session present 0 (must be 0 with a non-zero return code)
        0${code}               // the return code
      `,
      packet: { type: 'connack', sessionPresent: false, reasonCode: code as number },
    }),
  ),

  // --- PUBLISH (3.1.1 §3.3) ---
  {
    name: 'PUBLISH QoS 0 without packet id',
    section: '3.1.1 §3.3.1, §3.3.2',
    version: 4,
    hex: hex`
      30 07                    // PUBLISH, flags 0000 (dup 0, QoS 0, retain 0), remaining length 7
      00 03 61 2f 62           // topic name "a/b"
      68 69                    // payload "hi" (no packet id at QoS 0)
    `,
    packet: {
      type: 'publish',
      topic: 'a/b',
      payload: ascii('hi'),
      qos: 0,
      dup: false,
      retain: false,
    },
  },
  {
    name: 'PUBLISH QoS 1 with packet id',
    section: '3.1.1 §3.3',
    version: 4,
    hex: hex`
      32 09                    // PUBLISH, flags 0010 (QoS 1), remaining length 9
      00 03 61 2f 62           // topic name "a/b"
      00 0a                    // packet identifier 10
      68 69                    // payload "hi"
    `,
    packet: {
      type: 'publish',
      topic: 'a/b',
      payload: ascii('hi'),
      qos: 1,
      dup: false,
      retain: false,
      packetId: 10,
    },
  },
  {
    name: 'PUBLISH QoS 2 with dup and retain and packet id 65535',
    section: '3.1.1 §3.3.1.1, §3.3.1.2, §3.3.1.3',
    version: 4,
    hex: hex`
      3d 08                    // PUBLISH, flags 1101 (dup 1, QoS 2, retain 1), remaining length 8
      00 01 74                 // topic name "t"
      ff ff                    // packet identifier 65535
      01 02 03                 // payload
    `,
    packet: {
      type: 'publish',
      topic: 't',
      payload: new Uint8Array([1, 2, 3]),
      qos: 2,
      dup: true,
      retain: true,
      packetId: 65535,
    },
  },
  {
    name: 'retained PUBLISH QoS 0 with an empty payload',
    section: '3.1.1 §3.3.1.3, §3.3.3',
    version: 4,
    hex: hex`
      31 03                    // PUBLISH, flags 0001 (retain), remaining length 3
      00 01 74                 // topic name "t"; zero-length payload
    `,
    packet: {
      type: 'publish',
      topic: 't',
      payload: new Uint8Array(0),
      qos: 0,
      dup: false,
      retain: true,
    },
  },
  {
    name: 'PUBLISH to a multi-byte UTF-8 topic',
    section: '3.1.1 §1.5.3, §3.3.2.1',
    version: 4,
    hex: hex`
      30 18                    // PUBLISH QoS 0, remaining length 24
      00 15                    // topic length 21
      74 65 6d 70              // "temp"
      c3 a9                    // "é" U+00E9
      72 61 74 75 72 65        // "rature"
      2f                       // "/"
      e2 82 ac                 // "€" U+20AC
      2f                       // "/"
      f0 9d 84 9e              // "𝄞" U+1D11E (4 bytes, outside the BMP)
      78                       // payload "x"
    `,
    packet: {
      type: 'publish',
      topic: MULTIBYTE_TOPIC,
      payload: ascii('x'),
      qos: 0,
      dup: false,
      retain: false,
    },
  },
  {
    name: 'PUBLISH with remaining length 127, the largest one-byte length',
    section: '3.1.1 §2.2.3',
    version: 4,
    hex: hex`
      30 7f                    // PUBLISH QoS 0, remaining length 127 = 0x7f (one byte)
      00 01 74                 // topic name "t" (3 bytes)
      ${'61'.repeat(124)}      // payload: 124 x "a"; 3 + 124 = 127
    `,
    packet: {
      type: 'publish',
      topic: 't',
      payload: new Uint8Array(124).fill(0x61),
      qos: 0,
      dup: false,
      retain: false,
    },
  },
  {
    name: 'PUBLISH with remaining length 128, the smallest two-byte length',
    section: '3.1.1 §2.2.3',
    version: 4,
    hex: hex`
      30 80 01                 // PUBLISH QoS 0, remaining length 128: 0x00|0x80 continuation, then 0x01
      00 01 74                 // topic name "t" (3 bytes)
      ${'61'.repeat(125)}      // payload: 125 x "a"; 3 + 125 = 128
    `,
    packet: {
      type: 'publish',
      topic: 't',
      payload: new Uint8Array(125).fill(0x61),
      qos: 0,
      dup: false,
      retain: false,
    },
  },

  // --- PUBACK, PUBREC, PUBREL, PUBCOMP (3.1.1 §3.4 to §3.7) ---
  {
    name: 'PUBACK',
    section: '3.1.1 §3.4',
    version: 4,
    hex: hex`
      40 02                    // PUBACK, remaining length 2
      00 01                    // packet identifier 1
    `,
    packet: { type: 'puback', packetId: 1, reasonCode: 0 },
  },
  {
    name: 'PUBREC',
    section: '3.1.1 §3.5',
    version: 4,
    hex: hex`
      50 02                    // PUBREC, remaining length 2
      12 34                    // packet identifier 0x1234 = 4660
    `,
    packet: { type: 'pubrec', packetId: 0x1234, reasonCode: 0 },
  },
  {
    name: 'PUBREL with its reserved flags 0010',
    section: '3.1.1 §3.6.1',
    version: 4,
    hex: hex`
      62 02                    // PUBREL, flags 0010 (required), remaining length 2
      00 0a                    // packet identifier 10
    `,
    packet: { type: 'pubrel', packetId: 10, reasonCode: 0 },
  },
  {
    name: 'PUBCOMP',
    section: '3.1.1 §3.7',
    version: 4,
    hex: hex`
      70 02                    // PUBCOMP, remaining length 2
      ff ff                    // packet identifier 65535
    `,
    packet: { type: 'pubcomp', packetId: 65535, reasonCode: 0 },
  },

  // --- SUBSCRIBE, SUBACK (3.1.1 §3.8, §3.9) ---
  {
    name: 'SUBSCRIBE with three filters at QoS 0, 1 and 2',
    section: '3.1.1 §3.8.1, §3.8.3',
    version: 4,
    hex: hex`
      82 14                    // SUBSCRIBE, flags 0010 (required), remaining length 20
      00 01                    // packet identifier 1
      00 03 61 2f 62  00       // "a/b", requested QoS 0
      00 03 63 2f 23  01       // "c/#", requested QoS 1
      00 03 2b 2f 64  02       // "+/d", requested QoS 2
    `,
    packet: {
      type: 'subscribe',
      packetId: 1,
      subscriptions: [
        { topicFilter: 'a/b', qos: 0 },
        { topicFilter: 'c/#', qos: 1 },
        { topicFilter: '+/d', qos: 2 },
      ],
    },
  },
  {
    name: 'SUBACK with granted QoS 0, 1, 2 and failure 0x80',
    section: '3.1.1 §3.9.3',
    version: 4,
    hex: hex`
      90 06                    // SUBACK, remaining length 6
      00 01                    // packet identifier 1
      00 01 02 80              // return codes: QoS 0, QoS 1, QoS 2, failure
    `,
    packet: { type: 'suback', packetId: 1, reasonCodes: [0, 1, 2, 0x80] },
  },

  // --- UNSUBSCRIBE, UNSUBACK (3.1.1 §3.10, §3.11) ---
  {
    name: 'UNSUBSCRIBE with two filters',
    section: '3.1.1 §3.10.1, §3.10.3',
    version: 4,
    hex: hex`
      a2 0c                    // UNSUBSCRIBE, flags 0010 (required), remaining length 12
      00 02                    // packet identifier 2
      00 03 61 2f 62           // "a/b"
      00 03 63 2f 23           // "c/#"
    `,
    packet: { type: 'unsubscribe', packetId: 2, topicFilters: ['a/b', 'c/#'] },
  },
  {
    name: 'UNSUBACK (no reason codes in 3.1.1)',
    section: '3.1.1 §3.11',
    version: 4,
    hex: hex`
      b0 02                    // UNSUBACK, remaining length 2
      00 02                    // packet identifier 2; no payload
    `,
    packet: { type: 'unsuback', packetId: 2 },
  },

  // --- PINGREQ, PINGRESP, DISCONNECT (3.1.1 §3.12 to §3.14) ---
  {
    name: 'PINGREQ',
    section: '3.1.1 §3.12',
    version: 4,
    hex: hex`c0 00               // PINGREQ, remaining length 0`,
    packet: { type: 'pingreq' },
  },
  {
    name: 'PINGRESP',
    section: '3.1.1 §3.13',
    version: 4,
    hex: hex`d0 00               // PINGRESP, remaining length 0`,
    packet: { type: 'pingresp' },
  },
  {
    name: 'DISCONNECT',
    section: '3.1.1 §3.14',
    version: 4,
    hex: hex`e0 00               // DISCONNECT, remaining length 0`,
    packet: { type: 'disconnect', reasonCode: 0 },
  },
];

// ---------------------------------------------------------------------------------------------
// MQTT 5.0
// ---------------------------------------------------------------------------------------------

const v5: Vector[] = [
  // --- CONNECT (5.0 §3.1) ---
  {
    name: 'minimal CONNECT with clean start and no properties',
    section: '5.0 §3.1.2, §3.1.2.11',
    version: 5,
    hex: hex`
      10 10                    // CONNECT, remaining length 16
      00 04 4d 51 54 54        // protocol name "MQTT"
      05                       // protocol version 5
      02                       // connect flags: clean start (bit 1)
      00 3c                    // keep alive 60 s
      00                       // property length 0
      00 03 61 62 63           // client identifier "abc"
    `,
    packet: { type: 'connect', protocolVersion: 5, clientId: 'abc', clean: true, keepAlive: 60 },
  },
  {
    name: 'CONNECT with every CONNECT property, a will with every will property, user name and password',
    section: '5.0 §3.1.2.11, §3.1.3.2, §3.1.3',
    version: 5,
    hex: hex`
      10 77                    // CONNECT, remaining length 119 (51 variable header + 68 payload)
      00 04 4d 51 54 54        // protocol name "MQTT"
      05                       // protocol version 5
      ce                       // flags: user name 80 + password 40 + will QoS 1 (08) + will 04 + clean start 02
      00 1e                    // keep alive 30 s
      28                       // property length 40
      11 00 00 0e 10           //   0x11 session expiry interval 3600
      21 00 14                 //   0x21 receive maximum 20
      27 00 10 00 00           //   0x27 maximum packet size 1048576
      22 00 0a                 //   0x22 topic alias maximum 10
      19 01                    //   0x19 request response information 1
      17 00                    //   0x17 request problem information 0
      26 00 01 6b 00 01 76     //   0x26 user property "k" = "v"
      15 00 05 53 43 52 41 4d  //   0x15 authentication method "SCRAM"
      16 00 02 01 02           //   0x16 authentication data 01 02
      00 02 63 35              // client identifier "c5"
      2b                       // will property length 43
      18 00 00 00 05           //   0x18 will delay interval 5
      01 01                    //   0x01 payload format indicator 1 (UTF-8)
      02 00 01 51 80           //   0x02 message expiry interval 86400
      03 00 0a 74 65 78 74 2f 70 6c 61 69 6e  // 0x03 content type "text/plain"
      08 00 03 72 2f 74        //   0x08 response topic "r/t"
      09 00 02 ca fe           //   0x09 correlation data ca fe
      26 00 01 77 00 01 78     //   0x26 user property "w" = "x"
      00 03 77 2f 74           // will topic "w/t"
      00 03 62 79 65           // will payload "bye"
      00 04 75 73 65 72        // user name "user"
      00 02 70 77              // password "pw"
    `,
    packet: {
      type: 'connect',
      protocolVersion: 5,
      clientId: 'c5',
      clean: true,
      keepAlive: 30,
      username: 'user',
      password: ascii('pw'),
      will: {
        topic: 'w/t',
        payload: ascii('bye'),
        qos: 1,
        retain: false,
        properties: {
          willDelayInterval: 5,
          payloadFormatIndicator: true,
          messageExpiryInterval: 86400,
          contentType: 'text/plain',
          responseTopic: 'r/t',
          correlationData: new Uint8Array([0xca, 0xfe]),
          userProperties: [['w', 'x']],
        },
      },
      properties: {
        sessionExpiryInterval: 3600,
        receiveMaximum: 20,
        maximumPacketSize: 1048576,
        topicAliasMaximum: 10,
        requestResponseInformation: true,
        requestProblemInformation: false,
        userProperties: [['k', 'v']],
        authenticationMethod: 'SCRAM',
        authenticationData: new Uint8Array([1, 2]),
      },
    },
  },
  {
    name: 'CONNECT with a password and no user name',
    section: '5.0 §3.1.2.9, §3.1.3.6',
    version: 5,
    hex: hex`
      10 12                    // CONNECT, remaining length 18
      00 04 4d 51 54 54        // protocol name "MQTT"
      05                       // protocol version 5
      40                       // flags: password only (legal in 5.0, not in 3.1.1)
      00 00                    // keep alive 0
      00                       // property length 0
      00 01 70                 // client identifier "p"
      00 02 00 ff              // password: binary 00 ff
    `,
    packet: {
      type: 'connect',
      protocolVersion: 5,
      clientId: 'p',
      clean: false,
      keepAlive: 0,
      password: new Uint8Array([0x00, 0xff]),
    },
  },
  {
    name: 'CONNECT with a retained QoS 2 will and a zero will property length',
    section: '5.0 §3.1.2.5, §3.1.2.6, §3.1.3.2',
    version: 5,
    hex: hex`
      10 14                    // CONNECT, remaining length 20
      00 04 4d 51 54 54        // protocol name "MQTT"
      05                       // protocol version 5
      36                       // flags: will retain 20 + will QoS 2 (10) + will 04 + clean start 02
      ff ff                    // keep alive 65535
      00                       // property length 0
      00 01 78                 // client identifier "x"
      00                       // will property length 0
      00 01 77                 // will topic "w"
      00 00                    // will payload: zero bytes
    `,
    packet: {
      type: 'connect',
      protocolVersion: 5,
      clientId: 'x',
      clean: true,
      keepAlive: 65535,
      will: { topic: 'w', payload: new Uint8Array(0), qos: 2, retain: true },
    },
  },

  // --- CONNACK (5.0 §3.2) ---
  {
    name: 'CONNACK success without properties',
    section: '5.0 §3.2.2',
    version: 5,
    hex: hex`
      20 03                    // CONNACK, remaining length 3
      00                       // acknowledge flags: session present 0
      00                       // reason code 0x00 success
      00                       // property length 0
    `,
    packet: { type: 'connack', sessionPresent: false, reasonCode: 0 },
  },
  {
    name: 'CONNACK with session present and many properties',
    section: '5.0 §3.2.2.1, §3.2.2.3',
    version: 5,
    hex: hex`
      20 45                    // CONNACK, remaining length 69
      01                       // acknowledge flags: session present 1
      00                       // reason code 0x00 success
      42                       // property length 66
      11 00 00 1c 20           //   0x11 session expiry interval 7200
      21 00 64                 //   0x21 receive maximum 100
      24 01                    //   0x24 maximum QoS 1
      25 00                    //   0x25 retain available 0
      27 00 01 00 00           //   0x27 maximum packet size 65536
      12 00 06 61 75 74 6f 2d 31  // 0x12 assigned client identifier "auto-1"
      22 00 05                 //   0x22 topic alias maximum 5
      1f 00 02 6f 6b           //   0x1F reason string "ok"
      26 00 01 78 00 01 79     //   0x26 user property "x" = "y"
      28 01                    //   0x28 wildcard subscription available 1
      29 00                    //   0x29 subscription identifiers available 0
      2a 01                    //   0x2A shared subscription available 1
      13 00 78                 //   0x13 server keep alive 120
      1a 00 05 72 65 73 70 2f  //   0x1A response information "resp/"
      15 00 01 6d              //   0x15 authentication method "m"
      16 00 01 ab              //   0x16 authentication data ab
    `,
    packet: {
      type: 'connack',
      sessionPresent: true,
      reasonCode: 0,
      properties: {
        sessionExpiryInterval: 7200,
        receiveMaximum: 100,
        maximumQoS: 1,
        retainAvailable: false,
        maximumPacketSize: 65536,
        assignedClientIdentifier: 'auto-1',
        topicAliasMaximum: 5,
        reasonString: 'ok',
        userProperties: [['x', 'y']],
        wildcardSubscriptionAvailable: true,
        subscriptionIdentifierAvailable: false,
        sharedSubscriptionAvailable: true,
        serverKeepAlive: 120,
        responseInformation: 'resp/',
        authenticationMethod: 'm',
        authenticationData: new Uint8Array([0xab]),
      },
    },
  },
  {
    name: 'CONNACK 0x9C use another server with a server reference',
    section: '5.0 §3.2.2.2, §3.2.2.3.18',
    version: 5,
    hex: hex`
      20 10                    // CONNACK, remaining length 16
      00                       // session present 0
      9c                       // reason code 0x9C use another server
      0d                       // property length 13
      1c 00 0a 6f 74 68 65 72 3a 31 38 38 33  // 0x1C server reference "other:1883"
    `,
    packet: {
      type: 'connack',
      sessionPresent: false,
      reasonCode: 0x9c,
      properties: { serverReference: 'other:1883' },
    },
  },
  {
    name: 'CONNACK 0x84 unsupported protocol version',
    section: '5.0 §3.2.2.2',
    version: 5,
    hex: hex`
      20 03                    // CONNACK, remaining length 3
      00                       // session present 0
      84                       // reason code 0x84 unsupported protocol version
      00                       // property length 0
    `,
    packet: { type: 'connack', sessionPresent: false, reasonCode: 0x84 },
  },

  // --- PUBLISH (5.0 §3.3) ---
  {
    name: 'PUBLISH QoS 0 without properties',
    section: '5.0 §3.3.2',
    version: 5,
    hex: hex`
      30 08                    // PUBLISH QoS 0, remaining length 8
      00 03 61 2f 62           // topic name "a/b"
      00                       // property length 0 (no packet id at QoS 0)
      68 69                    // payload "hi"
    `,
    packet: {
      type: 'publish',
      topic: 'a/b',
      payload: ascii('hi'),
      qos: 0,
      dup: false,
      retain: false,
    },
  },
  {
    name: 'PUBLISH QoS 1 with every PUBLISH property, a repeated user property name and three subscription identifiers',
    section: '5.0 §3.3.2.3, §2.2.2.2, §1.5.5',
    version: 5,
    hex: hex`
      32 3e                    // PUBLISH QoS 1, remaining length 62
      00 03 61 2f 62           // topic name "a/b"
      00 05                    // packet identifier 5
      34                       // property length 52
      01 01                    //   0x01 payload format indicator 1
      02 00 00 00 3c           //   0x02 message expiry interval 60
      23 00 07                 //   0x23 topic alias 7
      08 00 02 72 65           //   0x08 response topic "re"
      09 00 03 01 02 03        //   0x09 correlation data 01 02 03
      26 00 01 6b 00 01 31     //   0x26 user property "k" = "1"
      26 00 01 6b 00 01 32     //   0x26 user property "k" = "2" (same name again)
      0b 01                    //   0x0B subscription identifier 1
      0b c8 01                 //   0x0B subscription identifier 200 = 0x48|0x80, 0x01
      0b ff ff ff 7f           //   0x0B subscription identifier 268435455 (largest 4-byte VBI)
      03 00 04 6a 73 6f 6e     //   0x03 content type "json"
      68 69                    // payload "hi"
    `,
    packet: {
      type: 'publish',
      topic: 'a/b',
      payload: ascii('hi'),
      qos: 1,
      dup: false,
      retain: false,
      packetId: 5,
      properties: {
        payloadFormatIndicator: true,
        messageExpiryInterval: 60,
        topicAlias: 7,
        responseTopic: 're',
        correlationData: new Uint8Array([1, 2, 3]),
        userProperties: [
          ['k', '1'],
          ['k', '2'],
        ],
        subscriptionIdentifiers: [1, 200, 268435455],
        contentType: 'json',
      },
    },
  },
  {
    name: 'PUBLISH QoS 2 with dup, retain, an empty topic name with a topic alias and an empty payload',
    section: '5.0 §3.3.1, §3.3.2.1, §3.3.2.3.4',
    version: 5,
    hex: hex`
      3d 08                    // PUBLISH, flags 1101 (dup, QoS 2, retain), remaining length 8
      00 00                    // topic name "" (the topic alias stands for it)
      00 09                    // packet identifier 9
      03                       // property length 3
      23 00 03                 //   0x23 topic alias 3
                               // zero-length payload
    `,
    packet: {
      type: 'publish',
      topic: '',
      payload: new Uint8Array(0),
      qos: 2,
      dup: true,
      retain: true,
      packetId: 9,
      properties: { topicAlias: 3 },
    },
  },
  {
    name: 'PUBLISH whose topic starts with a BOM, which is kept',
    section: '5.0 §1.5.4 [MQTT-1.5.4-3]',
    version: 5,
    hex: hex`
      30 0a                    // PUBLISH QoS 0, remaining length 10
      00 06                    // topic length 6
      ef bb bf                 // U+FEFF zero width no-break space (must not be stripped)
      61 2f 62                 // "a/b"
      00                       // property length 0
      78                       // payload "x"
    `,
    packet: {
      type: 'publish',
      topic: '\ufeffa/b',
      payload: ascii('x'),
      qos: 0,
      dup: false,
      retain: false,
    },
  },
  {
    name: 'PUBLISH with remaining length 16383, the largest two-byte length',
    section: '5.0 §1.5.5, §2.1.4',
    version: 5,
    hex: hex`
      30 ff 7f                 // PUBLISH QoS 0, remaining length 16383 = 127 + 127 * 128
      00 01 74                 // topic name "t"
      00                       // property length 0
      ${'5a'.repeat(16379)}    // payload: 16379 x "Z"; 3 + 1 + 16379 = 16383
    `,
    packet: {
      type: 'publish',
      topic: 't',
      payload: new Uint8Array(16379).fill(0x5a),
      qos: 0,
      dup: false,
      retain: false,
    },
  },
  {
    name: 'PUBLISH with remaining length 16384, the smallest three-byte length',
    section: '5.0 §1.5.5, §2.1.4',
    version: 5,
    hex: hex`
      30 80 80 01              // PUBLISH QoS 0, remaining length 16384 = 0 + 0 * 128 + 1 * 128^2
      00 01 74                 // topic name "t"
      00                       // property length 0
      ${'5a'.repeat(16380)}    // payload: 16380 x "Z"; 3 + 1 + 16380 = 16384
    `,
    packet: {
      type: 'publish',
      topic: 't',
      payload: new Uint8Array(16380).fill(0x5a),
      qos: 0,
      dup: false,
      retain: false,
    },
  },

  // --- PUBACK (5.0 §3.4) ---
  {
    name: 'PUBACK success without properties in its short form',
    section: '5.0 §3.4.2.1',
    version: 5,
    hex: hex`
      40 02                    // PUBACK, remaining length 2: reason code and properties omitted
      00 01                    // packet identifier 1
    `,
    packet: { type: 'puback', packetId: 1, reasonCode: 0 },
  },
  {
    name: 'PUBACK 0x10 no matching subscribers without properties',
    section: '5.0 §3.4.2.1, §3.4.2.2.1',
    version: 5,
    hex: hex`
      40 03                    // PUBACK, remaining length 3: property length omitted
      00 02                    // packet identifier 2
      10                       // reason code 0x10 no matching subscribers
    `,
    packet: { type: 'puback', packetId: 2, reasonCode: 0x10 },
  },
  {
    name: 'PUBACK 0x97 quota exceeded with reason string and user property',
    section: '5.0 §3.4.2.2',
    version: 5,
    hex: hex`
      40 13                    // PUBACK, remaining length 19
      00 03                    // packet identifier 3
      97                       // reason code 0x97 quota exceeded
      0f                       // property length 15
      1f 00 05 71 75 6f 74 61  //   0x1F reason string "quota"
      26 00 01 61 00 01 62     //   0x26 user property "a" = "b"
    `,
    packet: {
      type: 'puback',
      packetId: 3,
      reasonCode: 0x97,
      properties: { reasonString: 'quota', userProperties: [['a', 'b']] },
    },
  },

  // --- PUBREC (5.0 §3.5) ---
  {
    name: 'PUBREC success without properties in its short form',
    section: '5.0 §3.5.2.1',
    version: 5,
    hex: hex`
      50 02                    // PUBREC, remaining length 2
      00 0a                    // packet identifier 10
    `,
    packet: { type: 'pubrec', packetId: 10, reasonCode: 0 },
  },
  {
    name: 'PUBREC 0x80 unspecified error without properties',
    section: '5.0 §3.5.2.1, §3.5.2.2.1',
    version: 5,
    hex: hex`
      50 03                    // PUBREC, remaining length 3
      00 0b                    // packet identifier 11
      80                       // reason code 0x80 unspecified error
    `,
    packet: { type: 'pubrec', packetId: 11, reasonCode: 0x80 },
  },
  {
    name: 'PUBREC success with a user property',
    section: '5.0 §3.5.2.2',
    version: 5,
    hex: hex`
      50 0b                    // PUBREC, remaining length 11
      00 0c                    // packet identifier 12
      00                       // reason code 0x00 success (needed before the properties)
      07                       // property length 7
      26 00 01 72 00 01 73     //   0x26 user property "r" = "s"
    `,
    packet: {
      type: 'pubrec',
      packetId: 12,
      reasonCode: 0,
      properties: { userProperties: [['r', 's']] },
    },
  },

  // --- PUBREL (5.0 §3.6) ---
  {
    name: 'PUBREL success without properties in its short form',
    section: '5.0 §3.6.1, §3.6.2.1',
    version: 5,
    hex: hex`
      62 02                    // PUBREL, flags 0010, remaining length 2
      00 0d                    // packet identifier 13
    `,
    packet: { type: 'pubrel', packetId: 13, reasonCode: 0 },
  },
  {
    name: 'PUBREL 0x92 packet identifier not found without properties',
    section: '5.0 §3.6.2.1',
    version: 5,
    hex: hex`
      62 03                    // PUBREL, flags 0010, remaining length 3
      00 0e                    // packet identifier 14
      92                       // reason code 0x92 packet identifier not found
    `,
    packet: { type: 'pubrel', packetId: 14, reasonCode: 0x92 },
  },
  {
    name: 'PUBREL 0x92 with a reason string',
    section: '5.0 §3.6.2.2',
    version: 5,
    hex: hex`
      62 09                    // PUBREL, flags 0010, remaining length 9
      00 0f                    // packet identifier 15
      92                       // reason code 0x92
      05                       // property length 5
      1f 00 02 6e 6f           //   0x1F reason string "no"
    `,
    packet: {
      type: 'pubrel',
      packetId: 15,
      reasonCode: 0x92,
      properties: { reasonString: 'no' },
    },
  },

  // --- PUBCOMP (5.0 §3.7) ---
  {
    name: 'PUBCOMP success without properties in its short form',
    section: '5.0 §3.7.2.1',
    version: 5,
    hex: hex`
      70 02                    // PUBCOMP, remaining length 2
      00 10                    // packet identifier 16
    `,
    packet: { type: 'pubcomp', packetId: 16, reasonCode: 0 },
  },
  {
    name: 'PUBCOMP 0x92 packet identifier not found without properties',
    section: '5.0 §3.7.2.1',
    version: 5,
    hex: hex`
      70 03                    // PUBCOMP, remaining length 3
      00 11                    // packet identifier 17
      92                       // reason code 0x92
    `,
    packet: { type: 'pubcomp', packetId: 17, reasonCode: 0x92 },
  },
  {
    name: 'PUBCOMP success with a reason string',
    section: '5.0 §3.7.2.2',
    version: 5,
    hex: hex`
      70 0b                    // PUBCOMP, remaining length 11
      00 12                    // packet identifier 18
      00                       // reason code 0x00 success
      07                       // property length 7
      1f 00 04 64 6f 6e 65     //   0x1F reason string "done"
    `,
    packet: {
      type: 'pubcomp',
      packetId: 18,
      reasonCode: 0,
      properties: { reasonString: 'done' },
    },
  },

  // --- SUBSCRIBE (5.0 §3.8) ---
  {
    name: 'SUBSCRIBE with one filter and default options',
    section: '5.0 §3.8.2, §3.8.3.1',
    version: 5,
    hex: hex`
      82 09                    // SUBSCRIBE, flags 0010, remaining length 9
      00 01                    // packet identifier 1
      00                       // property length 0
      00 03 78 2f 79  00       // "x/y", options 00: QoS 0, no local 0, RAP 0, retain handling 0
    `,
    packet: {
      type: 'subscribe',
      packetId: 1,
      subscriptions: [
        { topicFilter: 'x/y', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
      ],
    },
  },
  {
    name: 'SUBSCRIBE with a subscription identifier, a user property and every subscription option',
    section: '5.0 §3.8.2.1, §3.8.3.1',
    version: 5,
    hex: hex`
      82 1e                    // SUBSCRIBE, flags 0010, remaining length 30
      00 0a                    // packet identifier 10
      0b                       // property length 11
      0b 80 80 01              //   0x0B subscription identifier 16384 (three-byte VBI)
      26 00 01 73 00 01 31     //   0x26 user property "s" = "1"
      00 01 61  00             // "a": 00 = QoS 0
      00 01 62  05             // "b": 05 = QoS 1 (01) + no local (04)
      00 01 63  1a             // "c": 1a = QoS 2 (02) + retain as published (08) + retain handling 1 (10)
      00 01 64  2d             // "d": 2d = QoS 1 (01) + no local (04) + RAP (08) + retain handling 2 (20)
    `,
    packet: {
      type: 'subscribe',
      packetId: 10,
      properties: { subscriptionIdentifier: 16384, userProperties: [['s', '1']] },
      subscriptions: [
        { topicFilter: 'a', qos: 0, noLocal: false, retainAsPublished: false, retainHandling: 0 },
        { topicFilter: 'b', qos: 1, noLocal: true, retainAsPublished: false, retainHandling: 0 },
        { topicFilter: 'c', qos: 2, noLocal: false, retainAsPublished: true, retainHandling: 1 },
        { topicFilter: 'd', qos: 1, noLocal: true, retainAsPublished: true, retainHandling: 2 },
      ],
    },
  },

  // --- SUBACK (5.0 §3.9) ---
  {
    name: 'SUBACK with granted QoS 1 and no properties',
    section: '5.0 §3.9.2, §3.9.3',
    version: 5,
    hex: hex`
      90 04                    // SUBACK, remaining length 4
      00 01                    // packet identifier 1
      00                       // property length 0
      01                       // reason code 0x01 granted QoS 1
    `,
    packet: { type: 'suback', packetId: 1, reasonCodes: [1] },
  },
  {
    name: 'SUBACK with granted codes, failures 0x87, 0x97, 0xA2 and a reason string',
    section: '5.0 §3.9.2.1, §3.9.3',
    version: 5,
    hex: hex`
      90 0e                    // SUBACK, remaining length 14
      00 0a                    // packet identifier 10
      05                       // property length 5
      1f 00 02 6e 6f           //   0x1F reason string "no"
      00 01 02                 // granted QoS 0, 1, 2
      87                       // 0x87 not authorized
      97                       // 0x97 quota exceeded
      a2                       // 0xA2 wildcard subscriptions not supported
    `,
    packet: {
      type: 'suback',
      packetId: 10,
      reasonCodes: [0, 1, 2, 0x87, 0x97, 0xa2],
      properties: { reasonString: 'no' },
    },
  },

  // --- UNSUBSCRIBE (5.0 §3.10) ---
  {
    name: 'UNSUBSCRIBE with one filter and no properties',
    section: '5.0 §3.10.2, §3.10.3',
    version: 5,
    hex: hex`
      a2 06                    // UNSUBSCRIBE, flags 0010, remaining length 6
      00 04                    // packet identifier 4
      00                       // property length 0
      00 01 7a                 // "z"
    `,
    packet: { type: 'unsubscribe', packetId: 4, topicFilters: ['z'] },
  },
  {
    name: 'UNSUBSCRIBE with two filters and a user property',
    section: '5.0 §3.10.2.1, §3.10.3',
    version: 5,
    hex: hex`
      a2 12                    // UNSUBSCRIBE, flags 0010, remaining length 18
      00 03                    // packet identifier 3
      07                       // property length 7
      26 00 01 75 00 01 76     //   0x26 user property "u" = "v"
      00 03 61 2f 62           // "a/b"
      00 01 63                 // "c"
    `,
    packet: {
      type: 'unsubscribe',
      packetId: 3,
      topicFilters: ['a/b', 'c'],
      properties: { userProperties: [['u', 'v']] },
    },
  },

  // --- UNSUBACK (5.0 §3.11) ---
  {
    name: 'UNSUBACK with 0x00 and 0x11 no subscription existed',
    section: '5.0 §3.11.3',
    version: 5,
    hex: hex`
      b0 05                    // UNSUBACK, remaining length 5
      00 03                    // packet identifier 3
      00                       // property length 0
      00                       // 0x00 success
      11                       // 0x11 no subscription existed
    `,
    packet: { type: 'unsuback', packetId: 3, reasonCodes: [0x00, 0x11] },
  },
  {
    name: 'UNSUBACK 0x87 with a reason string',
    section: '5.0 §3.11.2.1, §3.11.3',
    version: 5,
    hex: hex`
      b0 08                    // UNSUBACK, remaining length 8
      00 04                    // packet identifier 4
      04                       // property length 4
      1f 00 01 78              //   0x1F reason string "x"
      87                       // 0x87 not authorized
    `,
    packet: {
      type: 'unsuback',
      packetId: 4,
      reasonCodes: [0x87],
      properties: { reasonString: 'x' },
    },
  },

  // --- PINGREQ, PINGRESP (5.0 §3.12, §3.13) ---
  {
    name: 'PINGREQ',
    section: '5.0 §3.12',
    version: 5,
    hex: hex`c0 00               // PINGREQ, remaining length 0`,
    packet: { type: 'pingreq' },
  },
  {
    name: 'PINGRESP',
    section: '5.0 §3.13',
    version: 5,
    hex: hex`d0 00               // PINGRESP, remaining length 0`,
    packet: { type: 'pingresp' },
  },

  // --- DISCONNECT (5.0 §3.14) ---
  {
    name: 'DISCONNECT normal disconnection in its empty form',
    section: '5.0 §3.14.2.1',
    version: 5,
    hex: hex`e0 00               // DISCONNECT, remaining length 0: reason 0x00, no properties`,
    packet: { type: 'disconnect', reasonCode: 0 },
  },
  {
    name: 'DISCONNECT 0x04 disconnect with will message',
    section: '5.0 §3.14.2.1, §3.14.2.2.1',
    version: 5,
    hex: hex`
      e0 01                    // DISCONNECT, remaining length 1: property length omitted
      04                       // reason code 0x04 disconnect with will message
    `,
    packet: { type: 'disconnect', reasonCode: 0x04 },
  },
  {
    name: 'DISCONNECT 0x9C with session expiry interval, reason string and server reference',
    section: '5.0 §3.14.2.2',
    version: 5,
    hex: hex`
      e0 12                    // DISCONNECT, remaining length 18
      9c                       // reason code 0x9C use another server
      10                       // property length 16
      11 00 00 00 00           //   0x11 session expiry interval 0
      1f 00 03 62 79 65        //   0x1F reason string "bye"
      1c 00 02 62 32           //   0x1C server reference "b2"
    `,
    packet: {
      type: 'disconnect',
      reasonCode: 0x9c,
      properties: { sessionExpiryInterval: 0, reasonString: 'bye', serverReference: 'b2' },
    },
  },
  {
    name: 'DISCONNECT normal disconnection with a user property',
    section: '5.0 §3.14.2.2.4',
    version: 5,
    hex: hex`
      e0 09                    // DISCONNECT, remaining length 9
      00                       // reason code 0x00 (needed before the properties)
      07                       // property length 7
      26 00 01 61 00 01 62     //   0x26 user property "a" = "b"
    `,
    packet: {
      type: 'disconnect',
      reasonCode: 0,
      properties: { userProperties: [['a', 'b']] },
    },
  },

  // --- AUTH (5.0 §3.15) ---
  {
    name: 'AUTH success in its empty form',
    section: '5.0 §3.15.2.1',
    version: 5,
    hex: hex`f0 00               // AUTH, remaining length 0: reason 0x00, no properties`,
    packet: { type: 'auth', reasonCode: 0 },
  },
  {
    name: 'AUTH 0x18 continue authentication with authentication method and data',
    section: '5.0 §3.15.2.1, §3.15.2.2',
    version: 5,
    hex: hex`
      f0 17                    // AUTH, remaining length 23
      18                       // reason code 0x18 continue authentication
      15                       // property length 21
      15 00 0b 53 43 52 41 4d 2d 53 48 41 2d 31  // 0x15 authentication method "SCRAM-SHA-1"
      16 00 04 01 02 03 04     //   0x16 authentication data 01 02 03 04
    `,
    packet: {
      type: 'auth',
      reasonCode: 0x18,
      properties: {
        authenticationMethod: 'SCRAM-SHA-1',
        authenticationData: new Uint8Array([1, 2, 3, 4]),
      },
    },
  },
  {
    name: 'AUTH 0x19 re-authenticate with a method, a reason string and a user property',
    section: '5.0 §3.15.2.2',
    version: 5,
    hex: hex`
      f0 12                    // AUTH, remaining length 18
      19                       // reason code 0x19 re-authenticate
      10                       // property length 16
      15 00 01 6d              //   0x15 authentication method "m"
      1f 00 02 72 65           //   0x1F reason string "re"
      26 00 01 6b 00 01 76     //   0x26 user property "k" = "v"
    `,
    packet: {
      type: 'auth',
      reasonCode: 0x19,
      properties: { authenticationMethod: 'm', reasonString: 're', userProperties: [['k', 'v']] },
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Decode-only: valid wire forms that the encoder, which writes the shortest form, never produces.
// ---------------------------------------------------------------------------------------------

const decodeOnly: Vector[] = [
  {
    name: 'PUBACK success with an explicit zero property length',
    section: '5.0 §3.4.2.1, §3.4.2.2.1',
    version: 5,
    hex: hex`
      40 04                    // PUBACK, remaining length 4
      00 01                    // packet identifier 1
      00                       // reason code 0x00
      00                       // property length 0
    `,
    packet: { type: 'puback', packetId: 1, reasonCode: 0 },
  },
  {
    name: 'PUBREC 0x10 with the property length omitted',
    section: '5.0 §3.5.2.1, §3.5.2.2.1',
    version: 5,
    hex: hex`
      50 03                    // PUBREC, remaining length 3: no property length
      00 02                    // packet identifier 2
      10                       // reason code 0x10 no matching subscribers
    `,
    packet: { type: 'pubrec', packetId: 2, reasonCode: 0x10 },
  },
  {
    name: 'PUBREL success with a reason byte and an explicit zero property length',
    section: '5.0 §3.6.2.1, §3.6.2.2.1',
    version: 5,
    hex: hex`
      62 04                    // PUBREL, flags 0010, remaining length 4
      00 07                    // packet identifier 7
      00                       // reason code 0x00
      00                       // property length 0
    `,
    packet: { type: 'pubrel', packetId: 7, reasonCode: 0 },
  },
  {
    name: 'PUBCOMP success with a reason byte and no property length',
    section: '5.0 §3.7.2.1, §3.7.2.2.1',
    version: 5,
    hex: hex`
      70 03                    // PUBCOMP, remaining length 3
      00 08                    // packet identifier 8
      00                       // reason code 0x00; property length omitted
    `,
    packet: { type: 'pubcomp', packetId: 8, reasonCode: 0 },
  },
  {
    name: 'DISCONNECT with just a reason byte 0x00',
    section: '5.0 §3.14.2.1, §3.14.2.2.1',
    version: 5,
    hex: hex`
      e0 01                    // DISCONNECT, remaining length 1
      00                       // reason code 0x00; property length omitted (taken as 0)
    `,
    packet: { type: 'disconnect', reasonCode: 0 },
  },
  {
    name: 'DISCONNECT 0x8E with an explicit zero property length',
    section: '5.0 §3.14.2.1, §3.14.2.2.1',
    version: 5,
    hex: hex`
      e0 02                    // DISCONNECT, remaining length 2
      8e                       // reason code 0x8E session taken over
      00                       // property length 0
    `,
    packet: { type: 'disconnect', reasonCode: 0x8e },
  },
  {
    name: 'AUTH success with a reason byte and an explicit zero property length',
    section: '5.0 §3.15.2.1, §3.15.2.2.1',
    version: 5,
    hex: hex`
      f0 02                    // AUTH, remaining length 2
      00                       // reason code 0x00
      00                       // property length 0
    `,
    packet: { type: 'auth', reasonCode: 0 },
  },
  {
    name: 'two-byte 3.1.1 CONNACK (return code 0x01) answering a 5.0 CONNECT',
    section: '3.1.1 §3.2.2.3; 5.0 §3.1.2.2',
    version: 5,
    hex: hex`
      20 02                    // CONNACK, remaining length 2: no property length, a 3.1.1 server
      00                       // session present 0
      01                       // 3.1.1 return code 0x01 unacceptable protocol version
    `,
    packet: { type: 'connack', sessionPresent: false, reasonCode: 1 },
  },
];

// ---------------------------------------------------------------------------------------------

function decoderFor(vector: Vector): PacketDecoder {
  // A server learns the version from CONNECT, so CONNECT goes to a decoder that was given none.
  return vector.packet.type === 'connect'
    ? new PacketDecoder()
    : new PacketDecoder({ version: vector.version });
}

const roundTrip: [string, Vector[]][] = [
  ['MQTT 3.1.1', v311],
  ['MQTT 5.0', v5],
];

for (const [title, vectors] of roundTrip) {
  describe(`${title} vectors`, () => {
    for (const vector of vectors) {
      it(`encodes ${vector.name} (${vector.section})`, () => {
        expect(toHex(encode(vector.packet, vector.version))).toBe(vector.hex);
      });

      it(`decodes ${vector.name} (${vector.section})`, () => {
        const packets = decoderFor(vector).push(fromHex(vector.hex));
        expect(normalise(packets)).toEqual([normalise(vector.packet)]);
      });
    }
  });
}

describe('decode-only vectors (wire forms the encoder does not write)', () => {
  for (const vector of decodeOnly) {
    it(`decodes ${vector.name} (${vector.section})`, () => {
      const packets = decoderFor(vector).push(fromHex(vector.hex));
      expect(normalise(packets)).toEqual([normalise(vector.packet)]);
    });
  }
});
