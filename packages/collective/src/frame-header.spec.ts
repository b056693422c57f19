import { decodeHeader, describeMismatch, encodeHeader, HEADER_BYTES, OpKind, type FrameHeader } from './frame-header';

const h: FrameHeader = {
  generation: 2,
  opSeq: 41,
  kind: OpKind.AllReduce,
  step: 3,
  segment: 1,
  chunk: 7,
  fromRank: 0,
  worldSize: 4,
  length: 100,
  chunkElems: 16,
  root: 0,
};

describe('frame header', () => {
  it('round-trips and stays under the zero-copy threshold (copied by ZeroMQ, so reusable)', () => {
    const frame = encodeHeader(h);
    expect(frame.byteLength).toBe(HEADER_BYTES);
    expect(HEADER_BYTES).toBeLessThanOrEqual(128);
    expect(decodeHeader(frame)).toEqual(h);
  });

  it('recognises frames that are not headers', () => {
    expect(decodeHeader(Buffer.alloc(HEADER_BYTES))).toBeUndefined();
    expect(decodeHeader(Buffer.alloc(3))).toBeUndefined();
  });

  it('names both ranks and both values, Gloo style', () => {
    const got = { ...h, fromRank: 0, length: 200, kind: OpKind.Broadcast };
    expect(describeMismatch({ ...h, fromRank: 0, length: 100 }, got, 1)).toEqual([
      'operation: rank 1 is in allReduce, rank 0 is in broadcast',
      'length: rank 1 has 100 elements, rank 0 has 200',
    ]);
    expect(describeMismatch({ opSeq: 40 }, h, 2)).toEqual(['call order: rank 2 is in collective call #40, rank 0 sent call #41']);
    expect(describeMismatch({ chunk: 6, step: 3, segment: 1 }, h, 1)[0]).toMatch(/rank 1 expected step 3 segment 1 chunk 6, rank 0 sent step 3 segment 1 chunk 7/);
    expect(describeMismatch({ ...h }, h, 1)).toEqual([]);
  });
});
