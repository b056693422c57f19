/**
 * SIMD loops that run inside tfjs-backend-wasm's heap: a module assembled at start-up
 * (wasm-simd-assembler.ts) imports the backend's own WebAssembly.Memory, so a kernel gets the byte
 * addresses of tensors and reads and writes them in place, four floats an instruction.
 *
 * Measured on the transformer step's shapes (2026-12-01): the JavaScript loops these replace cost
 * 2-17 ns an element (the last-two-axes transpose every weight gradient pays, leading-axis sums,
 * the Tile of a column); see each caller for its figures.
 *
 * Every kernel moves or adds values in exactly the order of the JavaScript loop it replaces (a
 * column sum adds row after row, in float32), so results are bit-identical to it.
 */
import { assemble, bump, F32, forLoop, I32, op, V128, type WasmFunction } from './wasm-simd-assembler';
import type { BackendWasm } from './wasm-kernel-patch';

export type Gemm = (a: number, b: number, c: number, m: number, k: number, n: number, lda: number, ldb: number, ldc: number, batch: number, aStride: number, bStride: number, cStride: number) => void;

export interface SimdKernels {
  /** dst[j, i] = src[i, j] for one [rows, cols] matrix; rows % rowBlock === 0, rowBlock and cols multiples of 4. */
  transpose(src: number, dst: number, rows: number, cols: number, rowBlock: number): void;
  /** out[c] = sum over r of x[r, c], row by row in float32; cols % 16 === 0. */
  columnSums16(x: number, out: number, rows: number, cols: number): void;
  /** The same for cols % 4 === 0. */
  columnSums4(x: number, out: number, rows: number, cols: number): void;
  /** out[r, 0..n) = x[r] for a column x of `rows` floats; n % 4 === 0. */
  fillRows(x: number, out: number, rows: number, n: number): void;
  /**
   * c[s] = a[s] [m, k] x b[s] [k, n] for s < batch: byte addresses, row strides `lda`, `ldb`,
   * `ldc` and batch strides in bytes (0: shared). gemmRxW takes m % R === 0, n % W === 0 (tiles of
   * R rows by W columns); gemm.ts puts the five together for any shape. Each output is the
   * float32 sum over k in order (separate multiply and add).
   */
  gemm4x8: Gemm;
  gemm4x4: Gemm;
  gemm4x1: Gemm;
  gemm1x4: Gemm;
  gemm1x1: Gemm;
  /**
   * c [m, n] += a^T b for a [k, m], b [k, n] (c zeroed by the caller for a plain product), in
   * chunks of `kBlock` rows of a and b that stay in L1 while every 4x8 tile of c takes them; each
   * output is still the float32 sum over k in order. m % 4 === 0, n % 8 === 0.
   */
  transposedAMatMul(a: number, b: number, c: number, k: number, m: number, n: number, kBlock: number): void;
  /** gelu_new's sigmoid argument u = c (z + a z^3), z = x + bias (bias over rows) for x [rows, cols]; cols % 4 === 0. */
  geluNewArgument(x: number, bias: number, u: number, rows: number, cols: number): void;
  /** y = z s from s = sigmoid(u), z = x + bias (y may be s: in place). */
  geluNewFromSigmoid(x: number, bias: number, s: number, y: number, rows: number, cols: number): void;
  /** dz = dy (s + z s (1 - s) c (1 + 3 a z^2)) from s = sigmoid(u) (dz may be s). */
  geluNewGradFromSigmoid(x: number, bias: number, s: number, dy: number, dz: number, rows: number, cols: number): void;
  /** Layer norm over the rows of x [rows, cols], cols % 4 === 0: y = (x - mean) rstd gamma + beta. */
  layerNormForward(x: number, gamma: number, beta: number, y: number, rows: number, cols: number, eps: number): void;
  /** Its gradient: dx, and dgamma, dbeta added into (zeroed by the caller), row by row. */
  layerNormBackward(x: number, gamma: number, dy: number, dx: number, dgamma: number, dbeta: number, rows: number, cols: number, eps: number): void;
}

/** gelu_new's constants (packages/ops/src/bias-gelu.ts): sigmoid(c u) = (1 + tanh(c u / 2)) / 2. */
const GELU_C = 2 * Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

// transpose(src 0, dst 1, rows 2, cols 3, rowBlock 4)
function transpose(): WasmFunction {
  const [src, dst, rows, cols, ib] = [0, 1, 2, 3, 4];
  const [i0, j, ii, s, d, cs, rs] = [5, 6, 7, 8, 9, 10, 11];
  const [r0, r1, r2, r3, t0, t1, t2, t3] = [12, 13, 14, 15, 16, 17, 18, 19];
  const load = (k: number) => [...op.get(s), ...(k ? [...op.get(cs), ...op.i32(k), ...op.mul, ...op.add] : []), ...op.vLoad()];
  const store = (k: number, a: number, b: number, lanes: [number, number, number, number]) => [
    ...op.get(d), ...(k ? [...op.get(rs), ...op.i32(k), ...op.mul, ...op.add] : []),
    ...op.get(a), ...op.get(b), ...op.shuffle32(lanes), ...op.vStore(),
  ];
  const block4x4 = [
    // s = src + ii*cs + 4j; d = dst + j*rs + 4ii
    ...op.get(src), ...op.get(ii), ...op.get(cs), ...op.mul, ...op.add, ...op.get(j), ...op.i32(4), ...op.mul, ...op.add, ...op.set(s),
    ...op.get(dst), ...op.get(j), ...op.get(rs), ...op.mul, ...op.add, ...op.get(ii), ...op.i32(4), ...op.mul, ...op.add, ...op.set(d),
    ...load(0), ...op.set(r0), ...load(1), ...op.set(r1), ...load(2), ...op.set(r2), ...load(3), ...op.set(r3),
    ...op.get(r0), ...op.get(r1), ...op.shuffle32([0, 4, 1, 5]), ...op.set(t0),
    ...op.get(r0), ...op.get(r1), ...op.shuffle32([2, 6, 3, 7]), ...op.set(t1),
    ...op.get(r2), ...op.get(r3), ...op.shuffle32([0, 4, 1, 5]), ...op.set(t2),
    ...op.get(r2), ...op.get(r3), ...op.shuffle32([2, 6, 3, 7]), ...op.set(t3),
    ...store(0, t0, t2, [0, 1, 4, 5]), ...store(1, t0, t2, [2, 3, 6, 7]),
    ...store(2, t1, t3, [0, 1, 4, 5]), ...store(3, t1, t3, [2, 3, 6, 7]),
  ];
  // Row blocks of up to 16 so each destination row receives a whole 64-byte line at a time
  // (its rows are `rows` floats apart, a power of two: written 16 bytes at a time they thrash L1).
  const body = [
    ...op.get(cols), ...op.i32(4), ...op.mul, ...op.set(cs),
    ...op.get(rows), ...op.i32(4), ...op.mul, ...op.set(rs),
    ...forLoop(i0, 0, op.get(rows), op.get(ib),
      forLoop(j, 0, op.get(cols), 4,
        forLoop(ii, op.get(i0), [...op.get(i0), ...op.get(ib), ...op.add], 4, block4x4))),
  ];
  return { name: 'transpose', params: [I32, I32, I32, I32, I32], locals: [I32, I32, I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128, V128], body };
}

// columnSums{16,4}(x 0, out 1, rows 2, cols 3): `width` accumulators of 4 columns each
function columnSums(width: 1 | 4): WasmFunction {
  const [x, out, rows, cols] = [0, 1, 2, 3];
  const [c0, r, p, cs] = [4, 5, 6, 7];
  const acc = Array.from({ length: width }, (_, k) => 8 + k);
  const body = [
    ...op.get(cols), ...op.i32(4), ...op.mul, ...op.set(cs),
    ...forLoop(c0, 0, op.get(cols), 4 * width, [
      ...acc.flatMap((a) => [...op.vZero, ...op.set(a)]),
      ...op.get(x), ...op.get(c0), ...op.i32(4), ...op.mul, ...op.add, ...op.set(p),
      ...forLoop(r, 0, op.get(rows), 1, [
        ...acc.flatMap((a, k) => [...op.get(a), ...op.get(p), ...op.vLoad(16 * k), ...op.f32x4Add, ...op.set(a)]),
        ...bump(p, op.get(cs)),
      ]),
      ...acc.flatMap((a, k) => [...op.get(out), ...op.get(c0), ...op.i32(4), ...op.mul, ...op.add, ...op.get(a), ...op.vStore(16 * k)]),
    ]),
  ];
  return { name: `columnSums${4 * width}`, params: [I32, I32, I32, I32], locals: [I32, I32, I32, I32, ...acc.map(() => V128)], body };
}

// fillRows(x 0, out 1, rows 2, n 3)
function fillRows(): WasmFunction {
  const [x, out, rows, n] = [0, 1, 2, 3];
  const [r, p, end, v] = [4, 5, 6, 7];
  const body = [
    ...op.get(out), ...op.set(p),
    ...forLoop(r, 0, op.get(rows), 1, [
      ...op.get(x), ...op.get(r), ...op.i32(4), ...op.mul, ...op.add, ...op.f32Load(), ...op.f32x4Splat, ...op.set(v),
      ...op.get(p), ...op.get(n), ...op.i32(4), ...op.mul, ...op.add, ...op.set(end),
      ...forLoop(p, op.get(p), op.get(end), 16, [...op.get(p), ...op.get(v), ...op.vStore()]),
    ]),
  ];
  return { name: 'fillRows', params: [I32, I32, I32, I32], locals: [I32, I32, I32, V128], body };
}

// gemm{R}x{W}(a 0, b 1, c 2, m 3, k 4, n 5, lda 6, ldb 7, ldc 8, batch 9, aStride 10, bStride 11,
// cStride 12), row strides and batch strides in bytes: R x W tiles of c held in registers (W = 4V
// floats as V vectors, or 1 scalar); b's rows are read in place (no packing), a's R rows as splats.
function gemm(R: 4 | 1, V: 2 | 1 | 0): WasmFunction {
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
function transposedAMatMul(): WasmFunction {
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

/** The slice of the WebAssembly JS API used here (the workspace compiles without the DOM lib). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  Memory: abstract new (...args: never[]) => object;
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/**
 * An elementwise pass over [rows, cols] (cols % 4 === 0) with z = x + bias[col] in a local; `body`
 * gets z's local and the byte offset local of the element (into every [rows, cols] operand).
 * params: x 0, bias 1, then `extra` more addresses, then rows, cols.
 */
function biasedPass(name: string, extra: number, body: (z: number, at: number, t: number) => number[]): WasmFunction {
  const [x, bias] = [0, 1];
  const [rows, cols] = [2 + extra, 3 + extra];
  const [at, end, col, rowBytes] = [4 + extra, 5 + extra, 6 + extra, 7 + extra];
  const [z, t] = [8 + extra, 9 + extra];
  const fnBody = [
    ...op.get(cols), ...op.i32(4), ...op.mul, ...op.set(rowBytes),
    ...op.get(rows), ...op.get(rowBytes), ...op.mul, ...op.set(end),
    ...op.i32(0), ...op.set(col),
    ...forLoop(at, 0, op.get(end), 16, [
      ...op.get(x), ...op.get(at), ...op.add, ...op.vLoad(), ...op.get(bias), ...op.get(col), ...op.add, ...op.vLoad(), ...op.f32x4Add, ...op.set(z),
      ...body(z, at, t),
      // col = (col + 16) mod rowBytes, without a division
      ...bump(col, 16),
      ...op.get(col), ...op.i32(0), ...op.get(col), ...op.get(rowBytes), ...op.ltU, ...op.select, ...op.set(col),
    ]),
  ];
  return { name, params: new Array<number>(4 + extra).fill(I32), locals: [I32, I32, I32, I32, V128, V128], body: fnBody };
}

const vAt = (base: number, at: number) => [...op.get(base), ...op.get(at), ...op.add];

function geluNewArgument(): WasmFunction {
  const u = 2;
  return biasedPass('geluNewArgument', 1, (z, at) => [
    ...vAt(u, at),
    // c (z + a z^3)
    ...op.get(z), ...op.get(z), ...op.get(z), ...op.f32x4Mul, ...op.get(z), ...op.f32x4Mul, ...op.f32x4Const(GELU_A), ...op.f32x4Mul, ...op.f32x4Add,
    ...op.f32x4Const(GELU_C), ...op.f32x4Mul,
    ...op.vStore(),
  ]);
}

function geluNewFromSigmoid(): WasmFunction {
  const [s, y] = [2, 3];
  return biasedPass('geluNewFromSigmoid', 2, (z, at) => [...vAt(y, at), ...op.get(z), ...vAt(s, at), ...op.vLoad(), ...op.f32x4Mul, ...op.vStore()]);
}

function geluNewGradFromSigmoid(): WasmFunction {
  const [s, dy, dz] = [2, 3, 4];
  return biasedPass('geluNewGradFromSigmoid', 3, (z, at, t) => [
    ...vAt(s, at), ...op.vLoad(), ...op.set(t),
    ...vAt(dz, at),
    ...vAt(dy, at), ...op.vLoad(),
    // s + z s (1 - s) c (1 + 3 a z^2)
    ...op.get(t),
    ...op.get(z), ...op.get(t), ...op.f32x4Mul, ...op.f32x4Const(1), ...op.get(t), ...op.f32x4Sub, ...op.f32x4Mul, ...op.f32x4Const(GELU_C), ...op.f32x4Mul,
    ...op.f32x4Const(1), ...op.f32x4Const(3 * GELU_A), ...op.get(z), ...op.f32x4Mul, ...op.get(z), ...op.f32x4Mul, ...op.f32x4Add, ...op.f32x4Mul,
    ...op.f32x4Add,
    ...op.f32x4Mul,
    ...op.vStore(),
  ]);
}

/** Sum of a vector's four lanes as (l0 + l2) + (l1 + l3), an f32 on the stack. */
function horizontalSum(v: number): number[] {
  return [
    ...op.get(v), ...op.get(v), ...op.get(v), ...op.shuffle32([2, 3, 0, 1]), ...op.f32x4Add, ...op.set(v),
    ...op.get(v), ...op.get(v), ...op.get(v), ...op.shuffle32([1, 0, 3, 2]), ...op.f32x4Add, ...op.f32x4ExtractLane(0),
  ];
}

/**
 * The row statistics both layer-norm directions start from, as tf.moments computes them (mean,
 * then the mean of squared deviations): sets `mean` and `rstd` (f32) and their splats for the
 * row at byte offset `o` of x. Lane-wise partial sums, then the four lanes: a row's result does
 * not depend on the other rows.
 */
function rowStats(l: { x: number; cols: number; o: number; c: number; rowBytes: number; acc: number; d: number; mean: number; rstd: number; meanV: number; rstdV: number }, eps: number[]): number[] {
  const at = [...op.get(l.x), ...op.get(l.o), ...op.add, ...op.get(l.c), ...op.add];
  const count = [...op.get(l.cols), ...op.f32FromI32];
  return [
    ...op.vZero, ...op.set(l.acc),
    ...forLoop(l.c, 0, op.get(l.rowBytes), 16, [...op.get(l.acc), ...at, ...op.vLoad(), ...op.f32x4Add, ...op.set(l.acc)]),
    ...horizontalSum(l.acc), ...count, ...op.f32Div, ...op.set(l.mean),
    ...op.get(l.mean), ...op.f32x4Splat, ...op.set(l.meanV),
    ...op.vZero, ...op.set(l.acc),
    ...forLoop(l.c, 0, op.get(l.rowBytes), 16, [
      ...at, ...op.vLoad(), ...op.get(l.meanV), ...op.f32x4Sub, ...op.set(l.d),
      ...op.get(l.acc), ...op.get(l.d), ...op.get(l.d), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(l.acc),
    ]),
    ...op.f32Const(1), ...horizontalSum(l.acc), ...count, ...op.f32Div, ...eps, ...op.f32Add, ...op.f32Sqrt, ...op.f32Div, ...op.set(l.rstd),
    ...op.get(l.rstd), ...op.f32x4Splat, ...op.set(l.rstdV),
  ];
}

// layerNormForward(x 0, gamma 1, beta 2, y 3, rows 4, cols 5, eps 6 f32)
function layerNormForward(): WasmFunction {
  const [x, gamma, beta, y, rows, cols, eps] = [0, 1, 2, 3, 4, 5, 6];
  const [o, c, rowBytes, end, acc, d, meanV, rstdV, mean, rstd] = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  const l = { x, cols, o, c, rowBytes, acc, d, mean, rstd, meanV, rstdV };
  const body = [
    ...op.get(cols), ...op.i32(4), ...op.mul, ...op.set(rowBytes),
    ...op.get(rows), ...op.get(rowBytes), ...op.mul, ...op.set(end),
    ...forLoop(o, 0, op.get(end), op.get(rowBytes), [
      ...rowStats(l, op.get(eps)),
      ...forLoop(c, 0, op.get(rowBytes), 16, [
        ...op.get(y), ...op.get(o), ...op.add, ...op.get(c), ...op.add,
        ...op.get(x), ...op.get(o), ...op.add, ...op.get(c), ...op.add, ...op.vLoad(), ...op.get(meanV), ...op.f32x4Sub, ...op.get(rstdV), ...op.f32x4Mul,
        ...op.get(gamma), ...op.get(c), ...op.add, ...op.vLoad(), ...op.f32x4Mul,
        ...op.get(beta), ...op.get(c), ...op.add, ...op.vLoad(), ...op.f32x4Add,
        ...op.vStore(),
      ]),
    ]),
  ];
  return { name: 'layerNormForward', params: [I32, I32, I32, I32, I32, I32, F32], locals: [I32, I32, I32, I32, V128, V128, V128, V128, F32, F32], body };
}

// layerNormBackward(x 0, gamma 1, dy 2, dx 3, dgamma 4, dbeta 5, rows 6, cols 7, eps 8 f32)
function layerNormBackward(): WasmFunction {
  const [x, gamma, dy, dx, dgamma, dbeta, rows, cols, eps] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [o, c, rowBytes, end, acc, d, meanV, rstdV, mean, rstd] = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
  const [accG, accGX, xhat, g, dyv, meanGV, meanGXV] = [19, 20, 21, 22, 23, 24, 25];
  const l = { x, cols, o, c, rowBytes, acc, d, mean, rstd, meanV, rstdV };
  const elem = (base: number) => [...op.get(base), ...op.get(o), ...op.add, ...op.get(c), ...op.add];
  const col = (base: number) => [...op.get(base), ...op.get(c), ...op.add];
  const load = [
    ...elem(x), ...op.vLoad(), ...op.get(meanV), ...op.f32x4Sub, ...op.get(rstdV), ...op.f32x4Mul, ...op.set(xhat),
    ...elem(dy), ...op.vLoad(), ...op.set(dyv),
    ...op.get(dyv), ...col(gamma), ...op.vLoad(), ...op.f32x4Mul, ...op.set(g),
  ];
  const count = [...op.get(cols), ...op.f32FromI32];
  const body = [
    ...op.get(cols), ...op.i32(4), ...op.mul, ...op.set(rowBytes),
    ...op.get(rows), ...op.get(rowBytes), ...op.mul, ...op.set(end),
    ...forLoop(o, 0, op.get(end), op.get(rowBytes), [
      ...rowStats(l, op.get(eps)),
      ...op.vZero, ...op.set(accG), ...op.vZero, ...op.set(accGX),
      ...forLoop(c, 0, op.get(rowBytes), 16, [
        ...load,
        ...op.get(accG), ...op.get(g), ...op.f32x4Add, ...op.set(accG),
        ...op.get(accGX), ...op.get(g), ...op.get(xhat), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(accGX),
        ...col(dgamma), ...col(dgamma), ...op.vLoad(), ...op.get(dyv), ...op.get(xhat), ...op.f32x4Mul, ...op.f32x4Add, ...op.vStore(),
        ...col(dbeta), ...col(dbeta), ...op.vLoad(), ...op.get(dyv), ...op.f32x4Add, ...op.vStore(),
      ]),
      ...horizontalSum(accG), ...count, ...op.f32Div, ...op.f32x4Splat, ...op.set(meanGV),
      ...horizontalSum(accGX), ...count, ...op.f32Div, ...op.f32x4Splat, ...op.set(meanGXV),
      // dx = rstd (g - mean(g) - xhat mean(g xhat))
      ...forLoop(c, 0, op.get(rowBytes), 16, [
        ...load,
        ...elem(dx),
        ...op.get(g), ...op.get(meanGV), ...op.f32x4Sub, ...op.get(xhat), ...op.get(meanGXV), ...op.f32x4Mul, ...op.f32x4Sub, ...op.get(rstdV), ...op.f32x4Mul,
        ...op.vStore(),
      ]),
    ]),
  ];
  return {
    name: 'layerNormBackward',
    params: [I32, I32, I32, I32, I32, I32, I32, I32, F32],
    locals: [I32, I32, I32, I32, V128, V128, V128, V128, F32, F32, V128, V128, V128, V128, V128, V128, V128],
    body,
  };
}

let compiled: object | null | undefined;

/** Whether the engine takes a SIMD instruction at all (a module with one v128.const). */
function simdSupported(api: WasmApi): boolean {
  try {
    new api.Module(assemble([{ name: 'probe', params: [], locals: [V128], body: [...op.vZero, ...op.set(0)] }]));
    return true;
  } catch {
    return false;
  }
}
let enabled = true;

/** Off: every caller runs its JavaScript loop again (for A/B timings in one process only). */
export function setWasmSimdKernels(on: boolean): void {
  enabled = on;
}

const instances = new WeakMap<object, SimdKernels>();

/** The backend's heap as a WebAssembly.Memory (emscripten exports it as asm.memory). */
function heapMemory(api: WasmApi, backend: BackendWasm): object | undefined {
  const asm = (backend.wasm as unknown as { asm?: Record<string, unknown> }).asm;
  return asm?.memory instanceof api.Memory ? asm.memory : undefined;
}

/**
 * The kernels bound to this backend's heap, or undefined where they cannot run (no SIMD, or a
 * tfjs-wasm build that hides its memory): callers then keep their JavaScript loops.
 */
export function simdKernels(backend: BackendWasm): SimdKernels | undefined {
  const api = wasmApi;
  const memory = enabled && api ? heapMemory(api, backend) : undefined;
  if (api === undefined || memory === undefined) return undefined;
  const cached = instances.get(memory);
  if (cached) return cached;
  if (compiled === undefined) {
    try {
      compiled = new api.Module(assemble([transpose(), columnSums(4), columnSums(1), fillRows(), gemm(4, 2), gemm(4, 1), gemm(4, 0), gemm(1, 1), gemm(1, 0), transposedAMatMul(), geluNewArgument(), geluNewFromSigmoid(), geluNewGradFromSigmoid(), layerNormForward(), layerNormBackward()]));
    } catch (err) {
      // An engine without fixed-width SIMD rejects the module; anything else is a bug here.
      if (wasmApi !== undefined && simdSupported(api)) throw err;
      compiled = null;
    }
  }
  if (compiled === null) return undefined;
  const kernels = new api.Instance(compiled, { env: { memory } }).exports as unknown as SimdKernels;
  instances.set(memory, kernels);
  return kernels;
}
