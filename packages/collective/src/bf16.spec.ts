/**
 * bf16 conversion against a float64 reference that knows nothing of bit tricks: the nearest multiple
 * of the bf16 ulp at x's exponent (ulp = 2^(e-7), subnormal exponents clamped at -126), ties to even,
 * Infinity past the largest finite bf16.
 */
import { fromBf16, roundToBf16, toBf16 } from './bf16';
import { seededRandom } from './testing/seeded-inputs';

function referenceBf16(x: number): number {
  if (Number.isNaN(x) || !Number.isFinite(x) || x === 0) return x;
  const e = Math.max(Math.floor(Math.log2(Math.abs(x))), -126);
  const ulp = 2 ** (e - 7);
  const q = Math.abs(x) / ulp; // exact: a power-of-two scale
  const lower = Math.floor(q);
  const frac = q - lower;
  const rounded = frac > 0.5 || (frac === 0.5 && lower % 2 !== 0) ? lower + 1 : lower;
  const y = rounded * ulp;
  const magnitude = y >= 2 ** 128 ? Infinity : y;
  return x < 0 ? -magnitude : magnitude; // the sign survives underflow to zero: -0
}

function f32FromBits(bits: number): number {
  return new Float32Array(new Uint32Array([bits]).buffer)[0];
}

function roundTrip(values: number[]): Float32Array {
  return roundToBf16(Float32Array.from(values));
}

describe('bf16 conversion', () => {
  it('rounds random float32s across the whole range like the float64 reference', () => {
    const next = seededRandom(7);
    const bits = Array.from({ length: 20_000 }, () => Math.floor(next() * 2 ** 32));
    const xs = bits.map(f32FromBits).filter((x) => Number.isFinite(x));
    const got = roundTrip(xs);
    xs.forEach((x, i) => {
      if (!Object.is(got[i], referenceBf16(x))) throw new Error(`bf16(${x}) = ${got[i]}, reference ${referenceBf16(x)}`);
    });
  });

  it('ties go to the even mantissa, anything past the tie rounds up', () => {
    // 1 + 2^-8 sits halfway between 1 and 1 + 2^-7: ties to 1 (even); 1 + 3 * 2^-8 ties to 1 + 2^-6.
    expect(Array.from(roundTrip([1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, -(1 + 2 ** -8)]))).toEqual([
      1,
      1 + 2 ** -6,
      1 + 2 ** -7,
      -1,
    ]);
  });

  it('keeps NaN as NaN (also payloads that rounding would carry into Infinity), signed zeros and Infinities; underflow keeps its sign', () => {
    const got = roundTrip([NaN, f32FromBits(0x7fffffff), f32FromBits(0xff800001), Infinity, -Infinity, 0, -0, -(2 ** -140)]);
    expect(Number.isNaN(got[0]) && Number.isNaN(got[1]) && Number.isNaN(got[2])).toBe(true);
    expect(Array.from(got.subarray(3))).toEqual([Infinity, -Infinity, 0, -0, -0]);
    expect(Object.is(got[6], -0) && Object.is(got[7], -0)).toBe(true);
  });

  it('rounds past the largest finite bf16 to Infinity, and just below it to the largest', () => {
    const maxBf16 = (2 - 2 ** -7) * 2 ** 127;
    const maxF32 = f32FromBits(0x7f7fffff);
    const got = roundTrip([maxF32, -maxF32, f32FromBits(0x7f7f7fff)]);
    expect(Array.from(got)).toEqual([Infinity, -Infinity, maxBf16]);
  });

  it('rounds subnormals on the same grid (2^-133) and keeps the smallest ones', () => {
    const xs = [2 ** -133, 3 * 2 ** -134, 2 ** -134, 2 ** -149, 5 * 2 ** -135, -(2 ** -127)];
    expect(Array.from(roundTrip(xs))).toEqual(xs.map(referenceBf16));
    expect(Array.from(roundTrip(xs))).toEqual([2 ** -133, 2 ** -132, 0, 0, 2 ** -133, -(2 ** -127)]);
  });

  it('widens exactly and at an offset', () => {
    const halves = new Uint16Array([0x3f80, 0xc000, 0x0001]);
    const out = new Float32Array(5).fill(9);
    fromBf16(halves, out, 1);
    expect(Array.from(out)).toEqual([9, 1, -2, 2 ** -133, 9]);
    const back = new Uint16Array(3);
    toBf16(out.subarray(1, 4), back);
    expect(Array.from(back)).toEqual([0x3f80, 0xc000, 0x0001]);
  });
});
