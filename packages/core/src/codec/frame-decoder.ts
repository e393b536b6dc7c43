import { DecodeError, malformed, protocolError } from './errors';
import type { Packet, ProtocolVersion } from './packet';
import { AUTH, CONNECT, PUBLISH } from './packet-types';
import { Reader } from './reader';
import { MAX_VARINT, varintLength } from './writer';

/** The largest frame MQTT can express: a 268,435,455-byte body and a 5-byte fixed header. */
const PROTOCOL_MAXIMUM_PACKET_SIZE = MAX_VARINT + 5;

// The first buffer for a body that spans chunks, unless the body is smaller: it then doubles as
// bytes arrive, so that a header announcing 256 MiB costs what was sent, not what was announced.
const FIRST_BODY_BUFFER = 64 * 1024;

// The fixed-header flags each type must carry [MQTT-2.1.3-1]: 0010 for PUBREL, SUBSCRIBE and
// UNSUBSCRIBE, 0000 for the rest. PUBLISH uses its flags (DUP, QoS, RETAIN); type 0 is reserved.
const REQUIRED_FLAGS = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

/**
 * Decodes one packet's body (type and flags from its fixed header; the reader spans the body).
 * The decoder is given the table it needs: every packet type for a broker or a tool, only what
 * a server sends for a client, so that a client's bundle carries no server-side decoding.
 */
export type BodyDecoder = (type: number, flags: number, r: Reader, version: ProtocolVersion) => Packet;

/** Options of a packet decoder: the protocol version and the largest packet to accept. */
export interface PacketDecoderOptions {
  /** The stream's protocol version. Leave it out on a server: the CONNECT says it. */
  version?: ProtocolVersion;
  /** The largest packet accepted, fixed header included (5.0's Maximum Packet Size). */
  maximumPacketSize?: number;
}

/**
 * Turns a byte stream into packets: `push` each chunk as it arrives and get back the packets it
 * completed. A frame may span chunks and a chunk may hold many frames. A PUBLISH payload is a
 * view into the chunk it arrived in (one copy only when its frame spanned chunks), so do not
 * reuse a chunk's memory after pushing it.
 *
 * Errors: `push` throws only `DecodeError`. MQTT frames carry no marker to resynchronise on, so
 * after an error the decoder refuses further input until `reset()`; the connection should close.
 */
export class FrameDecoder {
  /** The protocol version: the one given, or the one the last decoded CONNECT asked for. */
  version: ProtocolVersion | undefined;
  readonly maximumPacketSize: number;
  /** When set, the size of each frame decoded is pushed here, fixed header included (for a packet log). */
  sizes: number[] | undefined;

  readonly #reader = new Reader();
  // The fixed header of the frame being read.
  #firstByte = 0;
  #remainingLength = 0;
  // Bytes of a fixed header that arrived without the rest of it (at most 5).
  readonly #head = new Uint8Array(5);
  #headLength = 0;
  // The body of a frame that spans chunks, how much of it has arrived, and its header's length.
  #body: Uint8Array | null = null;
  #bodyLength = 0;
  #bodyHeaderLength = 0;
  #failure: DecodeError | null = null;

  readonly #bodies: BodyDecoder;

  constructor(options: PacketDecoderOptions, bodies: BodyDecoder) {
    this.#bodies = bodies;
    const { version, maximumPacketSize = PROTOCOL_MAXIMUM_PACKET_SIZE } = options;
    if (version !== undefined && version !== 4 && version !== 5) {
      throw new RangeError('version must be 4 (MQTT 3.1.1) or 5 (MQTT 5.0)');
    }
    if (!Number.isInteger(maximumPacketSize) || maximumPacketSize < 2) {
      throw new RangeError('maximumPacketSize must be an integer of at least 2');
    }
    this.version = version;
    this.maximumPacketSize = Math.min(maximumPacketSize, PROTOCOL_MAXIMUM_PACKET_SIZE);
  }

  /** Bytes received of a frame that is not complete yet. */
  get buffered(): number {
    return this.#headLength + (this.#body === null ? 0 : this.#bodyHeaderLength + this.#bodyLength);
  }

  /** Decodes what `chunk` completes. Throws `DecodeError`, and nothing else, on bad input. */
  push(chunk: Uint8Array): Packet[] {
    if (this.#failure !== null) {
      throw new DecodeError(
        this.#failure.reasonCode,
        `the stream cannot be decoded after an earlier error (${this.#failure.message})`,
      );
    }
    const packets: Packet[] = [];
    try {
      this.#consume(chunk, packets);
    } catch (error) {
      throw this.#fail(error, packets);
    }
    return packets;
  }

  /** Forgets any partial frame and any earlier error, for a new connection. */
  reset(version: ProtocolVersion | undefined = this.version): void {
    this.version = version;
    this.#headLength = 0;
    this.#body = null;
    this.#bodyLength = 0;
    this.#failure = null;
  }

  #fail(error: unknown, packets: Packet[]): DecodeError {
    const failure =
      error instanceof DecodeError
        ? error
        : new DecodeError(0x81 /* Malformed Packet */, 'the decoder failed on this input', { cause: error });
    failure.precedingPackets = packets;
    this.#failure = failure;
    this.#headLength = 0;
    this.#body = null;
    return failure;
  }

  #consume(chunk: Uint8Array, packets: Packet[]): void {
    if (!(chunk instanceof Uint8Array)) throw malformed('push() needs a Uint8Array');
    const end = chunk.length;
    let pos = 0;
    if (this.#headLength > 0) {
      pos = this.#completeHead(chunk);
      if (pos < 0) return;
      pos = this.#takeBody(chunk, pos, pos + this.#headLength, packets);
      this.#headLength = 0;
    } else if (this.#body !== null) {
      pos = this.#fillBody(chunk, packets);
    }
    while (pos < end) {
      const headerLength = this.#parseHeader(chunk, pos, end);
      if (headerLength === 0) {
        this.#head.set(chunk.subarray(pos, end));
        this.#headLength = end - pos;
        return;
      }
      pos = this.#takeBody(chunk, pos + headerLength, headerLength, packets);
    }
  }

  /** Adds the start of `chunk` to a partial header; returns where the body starts, or -1. */
  #completeHead(chunk: Uint8Array): number {
    const take = Math.min(this.#head.length - this.#headLength, chunk.length);
    this.#head.set(chunk.subarray(0, take), this.#headLength);
    const headerLength = this.#parseHeader(this.#head, 0, this.#headLength + take);
    if (headerLength === 0) {
      this.#headLength += take;
      return -1;
    }
    return headerLength - this.#headLength;
  }

  /** Decodes a body that starts at `start`, or keeps what there is of it; returns the next position. */
  #takeBody(chunk: Uint8Array, start: number, headerLength: number, packets: Packet[]): number {
    const end = start + this.#remainingLength;
    if (end <= chunk.length) {
      packets.push(this.#decodeBody(chunk, start, end));
      return end;
    }
    const received = chunk.length - start;
    const body = new Uint8Array(Math.min(this.#remainingLength, Math.max(FIRST_BODY_BUFFER, 2 * received)));
    body.set(chunk.subarray(start));
    this.#body = body;
    this.#bodyLength = received;
    this.#bodyHeaderLength = headerLength;
    return chunk.length;
  }

  #fillBody(chunk: Uint8Array, packets: Packet[]): number {
    const total = this.#remainingLength;
    const take = Math.min(total - this.#bodyLength, chunk.length);
    let body = this.#body as Uint8Array;
    if (this.#bodyLength + take > body.length) {
      const grown = new Uint8Array(Math.min(total, Math.max(2 * body.length, this.#bodyLength + take)));
      grown.set(body.subarray(0, this.#bodyLength));
      body = this.#body = grown;
    }
    body.set(chunk.subarray(0, take), this.#bodyLength);
    this.#bodyLength += take;
    if (this.#bodyLength === total) {
      this.#body = null;
      packets.push(this.#decodeBody(body, 0, total));
    }
    return take;
  }

  /**
   * Reads the fixed header at `pos`: returns its length, or 0 when it is not all there yet. The
   * type, the flags and the size are checked as soon as their bytes arrive, so a bad or oversized
   * frame is refused before its body is waited for or buffered.
   */
  #parseHeader(buf: Uint8Array, pos: number, end: number): number {
    const first = buf[pos];
    const type = first >> 4;
    const required = REQUIRED_FLAGS[type];
    if (type === 0 || (type === AUTH && this.version === 4)) {
      throw malformed(`packet type ${type} is reserved`);
    }
    if (type !== PUBLISH && (first & 0x0f) !== required) {
      throw malformed('the fixed header sets reserved flag bits'); // [MQTT-2.1.3-1]
    }
    if (this.version === undefined && type !== CONNECT) {
      throw protocolError('the first packet must be CONNECT'); // [MQTT-3.1.0-1]
    }
    let value = 0;
    let multiplier = 1;
    for (let i = 1; i <= 4; i++) {
      if (pos + i >= end) return 0;
      const byte = buf[pos + i];
      value += (byte & 0x7f) * multiplier;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && i > 1) throw malformed('the remaining length is not in its shortest form'); // [MQTT-1.5.5-1]
        const size = 1 + i + value;
        if (size > this.maximumPacketSize) {
          throw new DecodeError(
            0x95 /* Packet Too Large */,
            `a ${size}-byte packet exceeds the maximum packet size of ${this.maximumPacketSize} bytes`,
          );
        }
        this.#firstByte = first;
        this.#remainingLength = value;
        return 1 + i;
      }
      multiplier *= 128;
    }
    throw malformed('the remaining length is longer than four bytes');
  }

  #decodeBody(buf: Uint8Array, start: number, end: number): Packet {
    const r = this.#reader;
    r.reset(buf, start, end);
    const first = this.#firstByte;
    const packet = this.#bodies(first >> 4, first & 0x0f, r, this.version as ProtocolVersion);
    if (packet.type === 'connect') this.version = packet.protocolVersion;
    if (r.pos !== end) throw malformed(`${packet.type.toUpperCase()} has bytes after its last field`);
    this.sizes?.push(1 + varintLength(end - start) + end - start);
    return packet;
  }
}
