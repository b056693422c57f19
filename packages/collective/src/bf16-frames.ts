/**
 * A chunk on the bf16 wire: its first `split` elements as bf16, the rest as float32. The float32 part
 * is the buffer's exact tail (`exactTail`), where a trainer keeps counts that ride with the gradient
 * (pairs, examples: bf16 holds integers exactly only up to 256); it lies in the last chunk, so every
 * other chunk is all bf16.
 */
import { BF16_BYTES, fromBf16, toBf16 } from './bf16';

/** Where a chunk [a, b) of a buffer of `length` elements switches to float32. */
export function bf16Split(a: number, b: number, length: number, exactTail: number): number {
  return Math.min(b - a, Math.max(0, length - exactTail - a));
}

export function bf16FrameBytes(elems: number, split: number): number {
  return split * BF16_BYTES + (elems - split) * 4;
}

/** Writes `values` into `frame` (bf16FrameBytes long). */
export function encodeBf16Frame(values: Float32Array, split: number, frame: Buffer): void {
  if (frame.byteOffset % 2 === 0) toBf16(values.subarray(0, split), new Uint16Array(frame.buffer, frame.byteOffset, split));
  else {
    // A Uint16Array cannot start at an odd byte: convert aside and copy the bytes in.
    const halves = new Uint16Array(split);
    toBf16(values.subarray(0, split), halves);
    frame.set(new Uint8Array(halves.buffer), 0);
  }
  for (let i = split; i < values.length; i++) frame.writeFloatLE(values[i], split * BF16_BYTES + (i - split) * 4);
}

/** Reads a frame of `out.length` elements into `out`. */
export function decodeBf16Frame(frame: Buffer, split: number, out: Float32Array): void {
  let halves: Uint16Array;
  if (frame.byteOffset % 2 === 0) halves = new Uint16Array(frame.buffer, frame.byteOffset, split);
  else {
    halves = new Uint16Array(split);
    new Uint8Array(halves.buffer).set(frame.subarray(0, split * BF16_BYTES));
  }
  fromBf16(halves, out.subarray(0, split));
  for (let i = split; i < out.length; i++) out[i] = frame.readFloatLE(split * BF16_BYTES + (i - split) * 4);
}
