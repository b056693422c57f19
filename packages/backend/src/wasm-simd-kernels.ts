/**
 * SIMD loops that run inside tfjs-backend-wasm's heap: a module assembled at start-up
 * (wasm-simd-assembler.ts) imports the backend's own WebAssembly.Memory, so a kernel gets the byte
 * addresses of tensors and reads and writes them in place, four floats an instruction.
 *
 * Measured on the transformer step's shapes (2026-12-01): the JavaScript loops these replace cost
 * 2-17 ns an element (the last-two-axes transpose every weight gradient pays, leading-axis sums,
 * the Tile of a column); see each caller for its figures.
 *
 * The copies and sums move or add values in exactly the order of the JavaScript loops they
 * replace (a column sum adds row after row, in float32), and the matMuls in XNNPACK's order
 * (wasm-simd-matmul-code.ts): bit-identical to the paths before them. The fused layer norm and
 * gelu_new passes (wasm-simd-fused-code.ts) compute in float32 where their JavaScript versions
 * rounded once from float64: within a few ulps.
 */
import { assemble, bump, forLoop, I32, op, V128, type WasmFunction } from './wasm-simd-assembler';
import { geluNewArgument, geluNewFromSigmoid, geluNewGradFromSigmoid, layerNormBackward, layerNormForward } from './wasm-simd-fused-code';
import { gemm, transposedAMatMul } from './wasm-simd-matmul-code';
import type { BackendWasm } from './wasm-kernel-patch';
import { WasmKernelError } from './wasm-kernel-error';

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
   * R rows by W columns); wasm-simd-gemm.ts puts the five together for any shape. Each output is the
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

/** The slice of the WebAssembly JS API used here (the workspace compiles without the DOM lib). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  Memory: abstract new (...args: never[]) => object;
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

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
    const functions = [transpose(), columnSums(4), columnSums(1), fillRows(), gemm(4, 2), gemm(4, 1), gemm(4, 0), gemm(1, 1), gemm(1, 0), transposedAMatMul(), geluNewArgument(), geluNewFromSigmoid(), geluNewGradFromSigmoid(), layerNormForward(), layerNormBackward()];
    try {
      compiled = new api.Module(assemble(functions));
    } catch (err) {
      // An engine without fixed-width SIMD rejects the module; anything else is a bug here.
      if (simdSupported(api)) {
        const names = functions.map((f, i) => `#${i} ${f.name}`).join(', ');
        throw new WasmKernelError('SIMD module (wasm-simd-kernels.ts)', `does not compile on an engine that takes SIMD (functions ${names}): ${(err as Error).message}`, { cause: err });
      }
      compiled = null;
    }
  }
  if (compiled === null) return undefined;
  const kernels = new api.Instance(compiled, { env: { memory } }).exports as unknown as SimdKernels;
  instances.set(memory, kernels);
  return kernels;
}
