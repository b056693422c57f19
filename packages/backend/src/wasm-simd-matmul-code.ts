/**
 * The matMul kernels of wasm-simd-kernels.ts, as WebAssembly function bodies: register-tiled
 * products with B read in place (gemm) and A^T B read a row at a time (transposedAMatMul). Each
 * output is the float32 sum over k in order with a separate multiply and add, as XNNPACK's wasm
 * kernel computes it: the outputs match it bit for bit.
 */
import { bump, F32, forLoop, I32, op, V128, type WasmFunction } from './wasm-simd-assembler';

// gemm{R}x{W}(a 0, b 1, c 2, m 3, k 4, n 5, lda 6, ldb 7, ldc 8, batch 9, aStride 10, bStride 11,
// cStride 12), row strides and batch strides in bytes: R x W tiles of c held in registers (W = 4V
// floats as V vectors, or 1 scalar); b's rows are read in place (no packing), a's R rows as splats.
export function gemm(R: 4 | 1, V: 2 | 1 | 0): WasmFunction {
  const [a, b, c, m, k, n, lda, ldb, ldc, batch, aStride, bStride, cStride] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const [s, i, j, kk, pa, pb, aBase, bBase, cBase, pc] = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
  const scalar = V === 0;
  const vecs = scalar ? 1 : V;
  const width = scalar ? 1 : 4 * V;
  const elem = scalar ? F32 : V128;
  const acc = Array.from({ length: R * vecs }, (_, x) => 23 + x);
  const bv = Array.from({ length: vecs }, (_, x) => 23 + R * vecs + x);
  const av = 23 + R * vecs + vecs;
  const load = (offset: number) => (scalar ? op.f32Load(offset) : op.vLoad(offset));
  const store = (offset: number) => (scalar ? op.f32Store(offset) : op.vStore(offset));
  const [mul, add] = scalar ? [op.f32Mul, op.f32Add] : [op.f32x4Mul, op.f32x4Add];
  const plus = (base: number, stride: number, r: number) => (r === 0 ? op.get(base) : [...op.get(base), ...op.get(stride), ...op.i32(r), ...op.mul, ...op.add]);
  const kStep = [
    ...bv.flatMap((x, v) => [...op.get(pb), ...load(16 * v), ...op.set(x)]),
    ...Array.from({ length: R }, (_, r) => [
      ...plus(pa, lda, r), ...(scalar ? op.f32Load() : op.vLoadSplat()), ...op.set(av),
      ...bv.flatMap((x, v) => [...op.get(acc[r * vecs + v]), ...op.get(av), ...op.get(x), ...mul, ...add, ...op.set(acc[r * vecs + v])]),
    ]).flat(),
    ...bump(pa, 4),
    ...bump(pb, op.get(ldb)),
  ];
  const tile = [
    ...acc.flatMap((x) => [...(scalar ? op.f32Zero : op.vZero), ...op.set(x)]),
    // pa = aBase + i*lda; pb = bBase + 4j
    ...op.get(aBase), ...op.get(i), ...op.get(lda), ...op.mul, ...op.add, ...op.set(pa),
    ...op.get(bBase), ...op.get(j), ...op.i32(4), ...op.mul, ...op.add, ...op.set(pb),
    ...forLoop(kk, 0, op.get(k), 1, kStep),
    // pc = cBase + i*ldc + 4j
    ...op.get(cBase), ...op.get(i), ...op.get(ldc), ...op.mul, ...op.add, ...op.get(j), ...op.i32(4), ...op.mul, ...op.add, ...op.set(pc),
    ...Array.from({ length: R }, (_, r) => bv.flatMap((_x, v) => [...plus(pc, ldc, r), ...op.get(acc[r * vecs + v]), ...store(16 * v)])).flat(),
  ];
  const body = [
    ...forLoop(s, 0, op.get(batch), 1, [
      ...op.get(a), ...op.get(s), ...op.get(aStride), ...op.mul, ...op.add, ...op.set(aBase),
      ...op.get(b), ...op.get(s), ...op.get(bStride), ...op.mul, ...op.add, ...op.set(bBase),
      ...op.get(c), ...op.get(s), ...op.get(cStride), ...op.mul, ...op.add, ...op.set(cBase),
      ...forLoop(i, 0, op.get(m), R, forLoop(j, 0, op.get(n), width, tile)),
    ]),
  ];
  const name = `gemm${R}x${width}`;
  return { name, params: new Array<number>(13).fill(I32), locals: [...new Array<number>(10).fill(I32), ...new Array<number>(R * vecs + vecs + 1).fill(elem)], body };
}

// transposedAMatMul(a 0, b 1, c 2, k 3, m 4, n 5, kBlock 6): a [k, m] read a row at a time, so
// a[kk, i..i+3] is one load and each of its lanes a shuffle (no transposed copy of a)
export function transposedAMatMul(): WasmFunction {
  const [a, b, c, k, m, n, kb] = [0, 1, 2, 3, 4, 5, 6];
  const [k0, i, j, kk, pa, pb, pc, ma, nb, kEnd] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const acc = [17, 18, 19, 20, 21, 22, 23, 24];
  const [b0, b1, av, lane] = [25, 26, 27, 28];
  const rowOfC = (r: number) => (r === 0 ? op.get(pc) : [...op.get(pc), ...op.get(nb), ...op.i32(r), ...op.mul, ...op.add]);
  const kStep = [
    ...op.get(pa), ...op.vLoad(0), ...op.set(av),
    ...op.get(pb), ...op.vLoad(0), ...op.set(b0),
    ...op.get(pb), ...op.vLoad(16), ...op.set(b1),
    ...[0, 1, 2, 3].flatMap((r) => [
      ...op.get(av), ...op.get(av), ...op.shuffle32([r, r, r, r]), ...op.set(lane),
      ...op.get(acc[2 * r]), ...op.get(lane), ...op.get(b0), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(acc[2 * r]),
      ...op.get(acc[2 * r + 1]), ...op.get(lane), ...op.get(b1), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(acc[2 * r + 1]),
    ]),
    ...bump(pa, op.get(ma)),
    ...bump(pb, op.get(nb)),
  ];
  const tile = [
    // pc = c + i*nb + 4j; the tile's partial sums from earlier chunks
    ...op.get(c), ...op.get(i), ...op.get(nb), ...op.mul, ...op.add, ...op.get(j), ...op.i32(4), ...op.mul, ...op.add, ...op.set(pc),
    ...[0, 1, 2, 3].flatMap((r) => [...rowOfC(r), ...op.vLoad(0), ...op.set(acc[2 * r]), ...rowOfC(r), ...op.vLoad(16), ...op.set(acc[2 * r + 1])]),
    // pa = a + k0*ma + 4i; pb = b + k0*nb + 4j
    ...op.get(a), ...op.get(k0), ...op.get(ma), ...op.mul, ...op.add, ...op.get(i), ...op.i32(4), ...op.mul, ...op.add, ...op.set(pa),
    ...op.get(b), ...op.get(k0), ...op.get(nb), ...op.mul, ...op.add, ...op.get(j), ...op.i32(4), ...op.mul, ...op.add, ...op.set(pb),
    ...forLoop(kk, op.get(k0), op.get(kEnd), 1, kStep),
    ...[0, 1, 2, 3].flatMap((r) => [...rowOfC(r), ...op.get(acc[2 * r]), ...op.vStore(0), ...rowOfC(r), ...op.get(acc[2 * r + 1]), ...op.vStore(16)]),
  ];
  const body = [
    ...op.get(m), ...op.i32(4), ...op.mul, ...op.set(ma),
    ...op.get(n), ...op.i32(4), ...op.mul, ...op.set(nb),
    ...forLoop(k0, 0, op.get(k), op.get(kb), [
      // kEnd = min(k0 + kBlock, k)
      ...op.get(k0), ...op.get(kb), ...op.add, ...op.get(k), ...op.get(k0), ...op.get(kb), ...op.add, ...op.get(k), ...op.ltU, ...op.select, ...op.set(kEnd),
      ...forLoop(i, 0, op.get(m), 4, forLoop(j, 0, op.get(n), 8, tile)),
    ]),
  ];
  return { name: 'transposedAMatMul', params: new Array<number>(7).fill(I32), locals: [...new Array<number>(10).fill(I32), ...new Array<number>(12).fill(V128)], body };
}
