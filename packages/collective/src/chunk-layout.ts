/**
 * How a buffer of `length` floats is cut for N ranks: N contiguous segments whose sizes differ by at
 * most one (the first `length % N` get the extra element), each cut into chunks of `chunkElems`.
 * Every segment gets the same number of chunks, the number the largest segment needs (at least one),
 * so the message sequence is identical on every rank even when some chunks, or whole segments
 * (length < N), are empty.
 */
export class ChunkLayout {
  readonly chunksPerSegment: number;
  private readonly base: number;
  private readonly extra: number;

  constructor(
    readonly length: number,
    readonly segments: number,
    readonly chunkElems: number,
  ) {
    this.base = Math.floor(length / segments);
    this.extra = length % segments;
    const largest = this.base + (this.extra > 0 ? 1 : 0);
    this.chunksPerSegment = Math.max(1, Math.ceil(largest / chunkElems));
  }

  segmentStart(s: number): number {
    return s * this.base + Math.min(s, this.extra);
  }

  segmentEnd(s: number): number {
    return this.segmentStart(s + 1);
  }

  /** [start, end) of chunk `c` of segment `s`, in elements of the whole buffer; may be empty. */
  chunk(s: number, c: number): [number, number] {
    const end = this.segmentEnd(s);
    const start = Math.min(this.segmentStart(s) + c * this.chunkElems, end);
    return [start, Math.min(start + this.chunkElems, end)];
  }
}

/** Non-negative remainder: ring arithmetic on ranks and segments. */
export function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
