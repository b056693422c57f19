/**
 * Rounding an f32 to the nearest f16 value (ties to even; past 65504 to Inf; below 2^-14 on f16's
 * subnormal grid), in WGSL by exact f32 arithmetic, and the same in JS as the tests' reference.
 *
 * Why not `f32(f16(x))`: a compiler may drop the round trip. Mesa's lavapipe does (measured:
 * f32(f16(1/3)) came back as 1/3, as did pack2x16float/unpack and a bitcast through vec2<f16>),
 * while f16 values stored to workgroup memory and read by another invocation are rounded. Kernels
 * that read operands into registers (the fused attention) round with this function, so their f16
 * results are the same on every adapter. The tiled matMul does not: it stages its operands as
 * native `f16(value)` in workgroup memory, whose rounding mode WGSL leaves to the implementation
 * (either neighbouring f16 value), and values in 65504..65536 may saturate to 65504 instead of Inf; its
 * results can differ between adapters in the last f16 bit.
 * Each step is exact: the exponent comes from the bits, the quantum is a power of two built from
 * bits (multiplying by it is exact, unlike WGSL's `/` or `exp2`), and `round` is half-to-even.
 */

/** WGSL: `fn roundF16(x : f32) -> f32`. Inf and NaN pass through. */
export const ROUND_F16_WGSL = `
    fn roundF16(x : f32) -> f32 {
      let e = i32((bitcast<u32>(x) >> 23u) & 0xffu) - 127;
      if (e == 128) { return x; }
      let q = max(e, -14) - 10;                      // f16's quantum at x: 2^q (subnormals: 2^-24)
      let up = bitcast<f32>(u32(127 - q) << 23u);     // 2^-q
      let down = bitcast<f32>(u32(127 + q) << 23u);   // 2^q
      let r = round(x * up) * down;
      if (abs(r) > 65504.0) { return x * 3.0e38 * 3.0e38; } // overflow: Inf of x's sign
      return r;
    }`;

const HALF_MAX = 65504;

/** JS reference: the f16 value nearest to `x` (ties to even), as a number. */
export function roundToF16(x: number): number {
  const f = Math.fround(x);
  if (!Number.isFinite(f) || f === 0) return f;
  const e = Math.max(Math.floor(Math.log2(Math.abs(f))), -14);
  // log2 may land one off near a power of two; the quantum only needs the right binade
  const binade = Math.abs(f) >= 2 ** (e + 1) ? e + 1 : Math.abs(f) < 2 ** e && e > -14 ? e - 1 : e;
  const q = 2 ** (binade - 10);
  const scaled = f / q;
  const lower = Math.floor(scaled);
  const frac = scaled - lower;
  const n = frac > 0.5 || (frac === 0.5 && lower % 2 !== 0) ? lower + 1 : lower;
  const r = n * q;
  return Math.abs(r) > HALF_MAX ? Math.sign(r) * Infinity : r;
}
