/**
 * The small header frame in front of every collective data frame. It is a fixed block of int32s, not
 * protobuf: it travels once per chunk on the hot path, and its job is only to let the receiver check
 * that both sides are in the same call, at the same place, with the same shape (Gloo's "mismatched
 * ..." errors), and to drop stragglers from an older ring.
 */

export const HEADER_MAGIC = 0x524b4331; // "RKC1"

export enum OpKind {
  AllReduce = 1,
  Broadcast = 2,
  Barrier = 3,
}

export interface FrameHeader {
  /** Ring generation (bumped when the ring is rebuilt after a failure). */
  readonly generation: number;
  /** Index of the collective call on this communicator, the same on every rank. */
  readonly opSeq: number;
  readonly kind: OpKind;
  /** Algorithm step within the call (ring: 0 .. 2(N-1)-1; star: 0 gather, 1 scatter). */
  readonly step: number;
  readonly segment: number;
  readonly chunk: number;
  readonly fromRank: number;
  readonly worldSize: number;
  /** Elements in the caller's buffer. */
  readonly length: number;
  /** Elements per chunk: every rank must cut the same way. */
  readonly chunkElems: number;
  /** Broadcast root (0 for other calls). */
  readonly root: number;
}

const FIELDS = [
  'generation',
  'opSeq',
  'kind',
  'step',
  'segment',
  'chunk',
  'fromRank',
  'worldSize',
  'length',
  'chunkElems',
  'root',
] as const satisfies readonly (keyof FrameHeader)[];

export const HEADER_BYTES = 4 * (1 + FIELDS.length);

export function encodeHeader(h: FrameHeader): Buffer {
  // Small (under zeromq.js's 128-byte zero-copy threshold), so ZeroMQ copies it on send anyway.
  const out = Buffer.allocUnsafe(HEADER_BYTES);
  out.writeInt32LE(HEADER_MAGIC, 0);
  FIELDS.forEach((f, i) => out.writeInt32LE(h[f], 4 * (i + 1)));
  return out;
}

/** The header in `frame`, or undefined when the frame is not a collective header at all. */
export function decodeHeader(frame: Buffer): FrameHeader | undefined {
  if (frame.byteLength !== HEADER_BYTES || frame.readInt32LE(0) !== HEADER_MAGIC) return undefined;
  const h: Record<string, number> = {};
  FIELDS.forEach((f, i) => (h[f] = frame.readInt32LE(4 * (i + 1))));
  return h as unknown as FrameHeader;
}

export type HeaderExpectation = Partial<FrameHeader>;

/**
 * Differences between what this rank expected and what arrived, phrased with both ranks' values,
 * e.g. "length: rank 1 has 100 elements, rank 0 has 200". Empty when they agree.
 */
export function describeMismatch(expected: HeaderExpectation, got: FrameHeader, self: number): string[] {
  const them = got.fromRank;
  const out: string[] = [];
  const differs = (f: keyof FrameHeader): boolean => expected[f] !== undefined && expected[f] !== got[f];
  if (differs('fromRank')) out.push(`expected a message from rank ${expected.fromRank}, got one from rank ${them} (peer addresses disagree?)`);
  if (differs('worldSize')) out.push(`world size: rank ${self} has ${expected.worldSize}, rank ${them} has ${got.worldSize}`);
  if (differs('opSeq')) out.push(`call order: rank ${self} is in collective call #${expected.opSeq}, rank ${them} sent call #${got.opSeq}`);
  if (differs('kind')) out.push(`operation: rank ${self} is in ${opName(expected.kind)}, rank ${them} is in ${opName(got.kind)}`);
  if (differs('length')) out.push(`length: rank ${self} has ${expected.length} elements, rank ${them} has ${got.length}`);
  if (differs('chunkElems')) out.push(`chunk size: rank ${self} uses ${expected.chunkElems} elements per chunk, rank ${them} uses ${got.chunkElems}`);
  if (differs('root')) out.push(`broadcast root: rank ${self} has root ${expected.root}, rank ${them} has root ${got.root}`);
  if (out.length === 0 && (differs('step') || differs('segment') || differs('chunk'))) {
    out.push(
      `position: rank ${self} expected step ${expected.step} segment ${expected.segment} chunk ${expected.chunk}, ` +
        `rank ${them} sent step ${got.step} segment ${got.segment} chunk ${got.chunk}`,
    );
  }
  return out;
}

export function opName(kind: OpKind | undefined): string {
  switch (kind) {
    case OpKind.AllReduce:
      return 'allReduce';
    case OpKind.Broadcast:
      return 'broadcast';
    case OpKind.Barrier:
      return 'barrier';
    default:
      return `unknown operation ${kind}`;
  }
}
