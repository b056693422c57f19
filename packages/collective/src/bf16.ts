/**
 * bfloat16: the top 16 bits of a float32 (sign, the same 8-bit exponent, 7 mantissa bits). Gradients
 * sent as bf16 halve the ring's bytes and keep float32's range, so no loss scaling is needed; only
 * precision drops (8 significant bits: relative error <= 2^-8 per rounding). Conversion rounds to nearest, ties to even,
 * as hardware does (and PyTorch's `tensor.to(torch.bfloat16)`): subnormals round like any other value
 * (bf16 has the same subnormal range), values past the largest bf16 round to Infinity, and NaN stays
 * NaN (made quiet, so rounding can never turn it into Infinity).
 */

/** Bytes per element on a bf16 wire. */
export const BF16_BYTES = 2;

/** dst[i] = bf16(src[i]) for every element of src (dst.length >= src.length). */
export function toBf16(src: Float32Array, dst: Uint16Array): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const u = bits[i];
    if ((u & 0x7fffffff) > 0x7f800000) {
      dst[i] = (u >>> 16) | 0x0040; // NaN: keep sign and payload's top bits, set the quiet bit
    } else {
      // Add half an ulp of bf16, minus one unless the kept lowest bit is odd (ties to even); the carry
      // may ripple into the exponent, which is the correct rounding up to the next binade or Infinity.
      dst[i] = (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
    }
  }
}

/** dst[offset + i] = float32(src[i]) for every element of src: exact (bf16 is a float32 prefix). */
export function fromBf16(src: Uint16Array, dst: Float32Array, offset = 0): void {
  const bits = new Uint32Array(dst.buffer, dst.byteOffset + offset * 4, src.length);
  const n = src.length;
  for (let i = 0; i < n; i++) bits[i] = src[i] << 16;
}

/** The float32 nearest to `x` that bf16 can hold (what a round trip through the wire gives). */
export function roundToBf16(x: Float32Array): Float32Array {
  const half = new Uint16Array(x.length);
  toBf16(x, half);
  const out = new Float32Array(x.length);
  fromBf16(half, out);
  return out;
}
