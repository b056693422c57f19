import { ChunkLayout, mod } from './chunk-layout';

describe('ChunkLayout', () => {
  it.each([
    [0, 1, 4],
    [0, 3, 4],
    [1, 3, 4],
    [2, 5, 1],
    [10, 3, 4],
    [17, 4, 3],
    [1000, 5, 16],
    [7, 7, 100],
  ])('length %i over %i segments in chunks of %i covers every element once', (length, segments, chunkElems) => {
    const layout = new ChunkLayout(length, segments, chunkElems);
    expect(layout.chunksPerSegment).toBeGreaterThanOrEqual(1);
    const seen = new Uint8Array(length);
    const sizes: number[] = [];
    for (let s = 0; s < segments; s++) {
      expect(layout.segmentStart(s)).toBe(s === 0 ? 0 : layout.segmentEnd(s - 1));
      sizes.push(layout.segmentEnd(s) - layout.segmentStart(s));
      for (let c = 0; c < layout.chunksPerSegment; c++) {
        const [a, b] = layout.chunk(s, c);
        expect(b - a).toBeLessThanOrEqual(chunkElems);
        expect(b).toBeGreaterThanOrEqual(a);
        for (let i = a; i < b; i++) seen[i]++;
      }
    }
    expect(layout.segmentEnd(segments - 1)).toBe(length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(seen.every((v) => v === 1)).toBe(true);
  });

  it('mod is non-negative', () => {
    expect(mod(-1, 4)).toBe(3);
    expect(mod(-9, 4)).toBe(3);
    expect(mod(5, 4)).toBe(1);
  });
});
