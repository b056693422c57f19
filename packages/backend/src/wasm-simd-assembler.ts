/**
 * A tiny WebAssembly assembler: just enough to emit SIMD kernels that import tfjs-backend-wasm's
 * own memory and so work on tensors where they lie in its heap (no copy in or out).
 *
 * Why not a compiled module: this machine has no clang/emcc, and the kernels are a few loops.
 * Why not JavaScript: a JavaScript pass over a typed array costs 2-8 ns an element here; the same
 * loop in wasm SIMD moves four floats per instruction. Function bodies are written as byte arrays
 * with the helpers below (opcodes from the WebAssembly core + fixed-width SIMD specs).
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const simd = (op: number, ...rest: number[]) => [0xfd, ...uleb(op), ...rest];

/** The instructions the kernels use; each returns its bytes. Memory offsets are byte addresses. */
export const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (n: number) => [0x41, ...sleb(n)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  geU: [0x4f],
  ltU: [0x49],
  f32Load: (offset = 0) => [0x2a, 2, ...uleb(offset)],
  f32Store: (offset = 0) => [0x38, 2, ...uleb(offset)],
  vLoad: (offset = 0) => simd(0x00, 0, ...uleb(offset)),
  f32Zero: [0x43, 0, 0, 0, 0],
  /** f32.const v then f32x4.splat: a constant in all four lanes. */
  f32x4Const: (v: number) => [0x43, ...new Uint8Array(new Float32Array([v]).buffer), ...simd(0x13)],
  f32Add: [0x92],
  f32Mul: [0x94],
  vStore: (offset = 0) => simd(0x0b, 0, ...uleb(offset)),
  /** i8x16.shuffle over 32-bit lanes: lanes 0-3 from the first operand, 4-7 from the second. */
  shuffle32: (lanes: readonly [number, number, number, number]) => simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])),
  /** v128.load32_splat: one float from memory into all four lanes. */
  vLoadSplat: (offset = 0) => simd(0x09, 2, ...uleb(offset)),
  vZero: simd(0x0c, ...new Array<number>(16).fill(0)),
  f32x4Splat: simd(0x13),
  f32x4ExtractLane: (lane: number) => simd(0x1f, lane),
  f32Div: [0x95],
  f32Sqrt: [0x91],
  f32Const: (v: number) => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)],
  f32FromI32: [0xb2],
  f32x4Add: simd(0xe4),
  f32x4Sub: simd(0xe5),
  f32x4Mul: simd(0xe6),
  /** select: the first of two values when the i32 on top is non-zero, else the second. */
  select: [0x1b],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  br: (depth: number) => [0x0c, ...uleb(depth)],
};

/** local += step (i32). */
export function bump(local: number, step: number | number[]): number[] {
  return [...op.get(local), ...(typeof step === 'number' ? op.i32(step) : step), ...op.add, ...op.set(local)];
}

/**
 * for (local = from; local < to; local += step) body; `from`, `to`, `step` are instruction bytes
 * (or constants). Inside `body`, br depth 0 continues and depth 1 breaks.
 */
export function forLoop(local: number, from: number | number[], to: number | number[], step: number | number[], body: number[]): number[] {
  const val = (v: number | number[]) => (typeof v === 'number' ? op.i32(v) : v);
  return [
    ...val(from), ...op.set(local),
    0x02, 0x40, // block
    0x03, 0x40, // loop
    ...op.get(local), ...val(to), ...op.geU, ...op.brIf(1),
    ...body,
    ...bump(local, val(step)),
    ...op.br(0),
    0x0b, 0x0b, // end loop, end block
  ];
}

export interface WasmFunction {
  readonly name: string;
  /** Parameter types (all results are void). */
  readonly params: readonly number[];
  /** Extra locals after the parameters, by type. */
  readonly locals: readonly number[];
  readonly body: readonly number[];
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

const name = (s: string) => [...uleb(s.length), ...Buffer.from(s, 'utf8')];

/**
 * A module that imports env.memory (no maximum declared, so any memory of at least one page fits)
 * and exports `functions` by name.
 */
export function assemble(functions: readonly WasmFunction[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((p) => [p])), 0x00]);
  const imports = vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]]);
  const funcs = vec(functions.map((_, i) => uleb(i)));
  const exports = vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]));
  const codes = vec(
    functions.map((f) => {
      // locals as runs of one type each
      const runs: number[][] = [];
      for (const t of f.locals) {
        const last = runs[runs.length - 1];
        if (last && last[1] === t) last[0]++;
        else runs.push([1, t]);
      }
      const body = [...vec(runs.map(([n, t]) => [...uleb(n), t])), ...f.body, 0x0b];
      return [...uleb(body.length), ...body];
    }),
  );
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, codes),
  ]);
}
