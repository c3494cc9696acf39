import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';

/**
 * The gateway's channel to a service (issue 26): many requests and answers over one connection, in
 * length-prefixed frames, each side corking its socket for an event-loop turn so that a turn's
 * frames leave in one write. On this VM a socket write costs more than the rest of a forwarded
 * request's work; over HTTP/1.1 every request and every answer is a write of its own.
 *
 * A frame: `u32 length of what follows`, `u32 stream id`, `u8 kind`, then the payload.
 */
export const FrameKind = {
  /** Gateway → service, stream 0: the HMAC of the service's challenge under the shared key. */
  proof: 1,
  /** Gateway → service: `u32 meta length`, the meta as JSON (`ChannelRequestMeta`), the body's bytes. */
  request: 2,
  /** Service → gateway: the answer's status and headers as JSON (`[status, name, value, …]`). */
  head: 3,
  /** Service → gateway: a piece of the answer's body. */
  data: 4,
  /** Service → gateway: the answer is complete. */
  end: 5,
  /** Service → gateway: the request failed after it was taken (its answer was cut); no more frames of it. */
  reset: 6,
  /** Service → gateway, stream 0: the service is stopping; it answers what it took, the gateway sends no more. */
  goAway: 7,
} as const;

export type FrameKindCode = (typeof FrameKind)[keyof typeof FrameKind];

/** The upgrade that turns a connection to a service's HTTP port into a channel. */
export const ChannelUpgrade = 'necp-channel';
/** The service's challenge in its 101 answer, which the gateway's proof frame signs. */
export const ChannelChallengeHeader = 'x-necp-channel-challenge';

const HeaderBytes = 9;
/** A frame larger than this is a broken or hostile peer: the connection is cut. */
export const MaxFrameBytes = 64 * 1024 * 1024;

/** What a request frame says besides its body. */
export interface ChannelRequestMeta {
  method: string;
  url: string;
  /** The request's headers, as the service should see them (the gateway's additions included). */
  headers: Record<string, string | string[]>;
  /** Headers the answer carries unless the service sets the same ones (rate limits, request id). */
  answerHeaders: Record<string, string | number | string[] | undefined>;
}

export function encodeFrame(stream: number, kind: FrameKindCode, payload?: Buffer): Buffer {
  const length = payload?.length ?? 0;
  const frame = Buffer.allocUnsafe(HeaderBytes + length);
  frame.writeUInt32BE(length + 5, 0);
  frame.writeUInt32BE(stream, 4);
  frame[8] = kind;
  if (payload) payload.copy(frame, HeaderBytes);
  return frame;
}

export function encodeRequest(stream: number, meta: ChannelRequestMeta, body: Buffer | undefined): Buffer {
  const json = JSON.stringify(meta);
  const metaBytes = Buffer.byteLength(json);
  const bodyBytes = body?.length ?? 0;
  const frame = Buffer.allocUnsafe(HeaderBytes + 4 + metaBytes + bodyBytes);
  frame.writeUInt32BE(5 + 4 + metaBytes + bodyBytes, 0);
  frame.writeUInt32BE(stream, 4);
  frame[8] = FrameKind.request;
  frame.writeUInt32BE(metaBytes, HeaderBytes);
  frame.write(json, HeaderBytes + 4, 'utf8');
  if (body) body.copy(frame, HeaderBytes + 4 + metaBytes);
  return frame;
}

export function decodeRequest(payload: Buffer): { meta: ChannelRequestMeta; body: Buffer } {
  const metaBytes = payload.readUInt32BE(0);
  const meta = JSON.parse(payload.toString('utf8', 4, 4 + metaBytes)) as ChannelRequestMeta;
  return { meta, body: payload.subarray(4 + metaBytes) };
}

export type FrameHandler = (stream: number, kind: number, payload: Buffer) => void;

/**
 * Splits a connection's bytes into frames, whatever the reads' boundaries. Throws on a frame
 * longer than `MaxFrameBytes` or shorter than its header (the caller cuts the connection).
 */
export class FrameReader {
  #pending: Buffer | undefined;
  readonly #onFrame: FrameHandler;

  constructor(onFrame: FrameHandler) {
    this.#onFrame = onFrame;
  }

  push(chunk: Buffer): void {
    let buffer = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = undefined;
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const length = buffer.readUInt32BE(offset);
      if (length < 5 || length > MaxFrameBytes) throw new Error(`a channel frame of ${length} bytes`);
      if (buffer.length - offset - 4 < length) break;
      const stream = buffer.readUInt32BE(offset + 4);
      const kind = buffer[offset + 8] as number;
      this.#onFrame(stream, kind, buffer.subarray(offset + HeaderBytes, offset + 4 + length));
      offset += 4 + length;
    }
    if (offset < buffer.length) {
      buffer = buffer.subarray(offset);
      // A copy, so that a partial frame does not keep a whole large read alive.
      this.#pending = Buffer.from(buffer);
    }
  }
}

/** The proof of the key: HMAC-SHA256 of the service's challenge. */
export function channelProof(key: string, challenge: string): Buffer {
  return createHmac('sha256', key).update('necp-channel.').update(challenge).digest();
}

export function proofHolds(key: string, challenge: string, proof: Buffer): boolean {
  const expected = channelProof(key, challenge);
  return proof.length === expected.length && timingSafeEqual(proof, expected);
}

/**
 * Writes a turn's frames in one go: the socket is corked at the first frame of a turn and uncorked
 * in the turn's check phase, after every I/O callback of the turn ran (requests of many clients,
 * answers of many statements).
 */
export class CorkedWriter {
  readonly #socket: Socket;
  #corked = false;
  readonly #uncork = () => {
    this.#corked = false;
    this.#socket.uncork();
  };

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  write(frame: Buffer): void {
    if (this.#socket.destroyed) return;
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      setImmediate(this.#uncork);
    }
    this.#socket.write(frame);
  }
}
