/**
 * Moving floats between a caller's Float32Array and ZeroMQ frames.
 *
 * zeromq.js sends frames over 128 bytes without copying, and `await send()` resolves once the message
 * is queued, not delivered. So a frame handed to send must not change until the peer has it. Copies
 * made here are fresh memory nobody else holds, and received frames belong to us alone (zeromq.js
 * gives each its own memory), so both may be sent, and a received frame may be updated in place
 * before it is forwarded. A view of the caller's array is sent only where the algorithm proves the
 * peer has read it before the call returns (see ring-all-reduce.ts).
 */

/** A copy of `src[start, end)` in a new frame. */
export function copyOut(src: Float32Array, start: number, end: number): Buffer {
  // allocUnsafeSlow: own ArrayBuffer at offset 0 (never a slice of Node's shared pool), no zero-fill.
  const frame = Buffer.allocUnsafeSlow((end - start) * 4);
  floatsOf(frame).set(src.subarray(start, end));
  return frame;
}

/**
 * The floats in a received frame. Received frames are aligned (16 bytes), so this is a view; an
 * unaligned frame is copied, since a Float32Array cannot start mid-element.
 */
export function floatsOf(frame: Buffer): Float32Array {
  if (frame.byteOffset % 4 !== 0) frame = Buffer.from(frame);
  return new Float32Array(frame.buffer, frame.byteOffset, frame.byteLength >>> 2);
}

/** The frame holding `floats` (same memory), for forwarding. */
export function frameOf(floats: Float32Array): Buffer {
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
}

/** dst[i] += src[offset + i] for every element of dst. */
export function addFrom(dst: Float32Array, src: Float32Array, offset: number): void {
  const n = dst.length;
  for (let i = 0; i < n; i++) dst[i] += src[offset + i];
}

/** dst[offset + i] += src[i] for every element of src. */
export function addInto(dst: Float32Array, offset: number, src: Float32Array): void {
  const n = src.length;
  for (let i = 0; i < n; i++) dst[offset + i] += src[i];
}

