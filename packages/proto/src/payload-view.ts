/**
 * Typed views over received payload frames. ZeroMQ hands over large frames without copying and
 * 16-byte aligned, so a view is free; a frame whose offset is not a multiple of the element size
 * (possible for small frames or frames sliced out of a larger buffer) is copied, because a JS typed
 * array cannot start at an unaligned offset.
 */
import type { DTypeArrays } from './dtype';

export function int32View(frame: Uint8Array): Int32Array {
  if (frame.byteOffset % 4 === 0) return new Int32Array(frame.buffer, frame.byteOffset, frame.byteLength >>> 2);
  return new Int32Array(copyBytes(frame));
}

export function float32View(frame: Uint8Array): Float32Array {
  if (frame.byteOffset % 4 === 0) return new Float32Array(frame.buffer, frame.byteOffset, frame.byteLength >>> 2);
  return new Float32Array(copyBytes(frame));
}

/** A view of `frame` as the typed array of `dtype`. */
export function typedView<D extends keyof DTypeArrays>(frame: Uint8Array, dtype: D): DTypeArrays[D] {
  switch (dtype) {
    case 'DTYPE_INT32':
      return int32View(frame) as DTypeArrays[D];
    case 'DTYPE_FLOAT32':
      return float32View(frame) as DTypeArrays[D];
    default:
      return frame as DTypeArrays[D];
  }
}

function copyBytes(frame: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(frame.byteLength);
  new Uint8Array(out).set(frame);
  return out;
}

/** Bytes of a typed array as a Buffer sharing its memory (no copy). */
export function bufferOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
