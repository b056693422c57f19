/**
 * The fused layer norm and gelu_new passes of wasm-simd-kernels.ts, as WebAssembly function
 * bodies (float32 arithmetic throughout; callers: wasm-layer-norm.ts, wasm-bias-gelu.ts).
 */
import { bump, F32, forLoop, I32, op, V128, type WasmFunction } from './wasm-simd-assembler';

/** gelu_new's constants (packages/ops/src/bias-gelu.ts): its 0.5 (1 + tanh(u c / 2)) is sigmoid(c u), c = 2 sqrt(2/pi). */
const GELU_C = 2 * Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

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

export function geluNewArgument(): WasmFunction {
  const u = 2;
  return biasedPass('geluNewArgument', 1, (z, at) => [
    ...vAt(u, at),
    // c (z + a z^3)
    ...op.get(z), ...op.get(z), ...op.get(z), ...op.f32x4Mul, ...op.get(z), ...op.f32x4Mul, ...op.f32x4Const(GELU_A), ...op.f32x4Mul, ...op.f32x4Add,
    ...op.f32x4Const(GELU_C), ...op.f32x4Mul,
    ...op.vStore(),
  ]);
}

export function geluNewFromSigmoid(): WasmFunction {
  const [s, y] = [2, 3];
  return biasedPass('geluNewFromSigmoid', 2, (z, at) => [...vAt(y, at), ...op.get(z), ...vAt(s, at), ...op.vLoad(), ...op.f32x4Mul, ...op.vStore()]);
}

export function geluNewGradFromSigmoid(): WasmFunction {
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
export function layerNormForward(): WasmFunction {
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
export function layerNormBackward(): WasmFunction {
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
