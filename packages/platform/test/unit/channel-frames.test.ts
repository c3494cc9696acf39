import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  channelProof,
  decodeRequest,
  encodeFrame,
  encodeRequest,
  FrameKind,
  FrameReader,
  MaxFrameBytes,
  proofHolds,
} from '../../src/http/channel-frames.ts';

function framesOf(chunks: Buffer[]): { stream: number; kind: number; payload: string }[] {
  const frames: { stream: number; kind: number; payload: string }[] = [];
  const reader = new FrameReader((stream, kind, payload) => frames.push({ stream, kind, payload: payload.toString() }));
  for (const chunk of chunks) reader.push(chunk);
  return frames;
}

describe('the channel’s frames', () => {
  const wire = Buffer.concat([
    encodeFrame(1, FrameKind.head, Buffer.from('[200]')),
    encodeFrame(2, FrameKind.data, Buffer.from('second stream')),
    encodeFrame(1, FrameKind.data, Buffer.alloc(70_000, 'a')),
    encodeFrame(1, FrameKind.end),
  ]);
  const expected = [
    { stream: 1, kind: FrameKind.head, payload: '[200]' },
    { stream: 2, kind: FrameKind.data, payload: 'second stream' },
    { stream: 1, kind: FrameKind.data, payload: 'a'.repeat(70_000) },
    { stream: 1, kind: FrameKind.end, payload: '' },
  ];

  it('reads the same frames whatever the reads’ boundaries', () => {
    assert.deepEqual(framesOf([wire]), expected);
    const bytes = [...wire].map((byte) => Buffer.from([byte]));
    assert.deepEqual(framesOf(bytes), expected);
    for (const size of [3, 7, 4096]) {
      const pieces: Buffer[] = [];
      for (let at = 0; at < wire.length; at += size) pieces.push(wire.subarray(at, at + size));
      assert.deepEqual(framesOf(pieces), expected);
    }
  });

  it('refuses a frame longer than the limit or shorter than its header', () => {
    const tooLong = Buffer.alloc(9);
    tooLong.writeUInt32BE(MaxFrameBytes + 1, 0);
    assert.throws(() => framesOf([tooLong]), /channel frame/);
    const tooShort = Buffer.alloc(9);
    tooShort.writeUInt32BE(2, 0);
    assert.throws(() => framesOf([tooShort]), /channel frame/);
  });

  it('carries a request’s meta and body', () => {
    const meta = {
      method: 'POST',
      url: '/api/v1/economy/transfers?x=1',
      headers: { 'content-type': 'application/json', 'set-many': ['a', 'b'] },
      answerHeaders: { 'x-request-id': 'r1' },
    };
    const [frame] = framesOf([encodeRequest(7, meta, Buffer.from('{"amount":5}'))]);
    assert.equal(frame?.stream, 7);
    assert.equal(frame?.kind, FrameKind.request);
    const decoded = decodeRequest(encodeRequest(7, meta, Buffer.from('{"amount":5}')).subarray(9));
    assert.deepEqual(decoded.meta, meta);
    assert.equal(decoded.body.toString(), '{"amount":5}');
  });

  it('holds a proof only under the same key and challenge', () => {
    const proof = channelProof('the key', 'challenge-1');
    assert.equal(proofHolds('the key', 'challenge-1', proof), true);
    assert.equal(proofHolds('the key', 'challenge-2', proof), false);
    assert.equal(proofHolds('another key', 'challenge-1', proof), false);
    assert.equal(proofHolds('the key', 'challenge-1', proof.subarray(1)), false);
  });
});
