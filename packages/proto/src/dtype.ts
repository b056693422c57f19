import type { DType } from './generated/rewardkit';

/** Bytes per element of each payload dtype (DTYPE_UNSPECIFIED is never valid on the wire). */
export const DTYPE_BYTES: Readonly<Record<Exclude<DType, 'DTYPE_UNSPECIFIED'>, number>> = {
  DTYPE_INT32: 4,
  DTYPE_FLOAT32: 4,
  DTYPE_UINT8: 1,
};

/** The typed array a payload of each dtype is read as. */
export interface DTypeArrays {
  DTYPE_INT32: Int32Array;
  DTYPE_FLOAT32: Float32Array;
  DTYPE_UINT8: Uint8Array;
}

export function isWireDType(d: string): d is keyof typeof DTYPE_BYTES {
  return Object.prototype.hasOwnProperty.call(DTYPE_BYTES, d);
}

/** The dtype of a typed array, or undefined for other views (DataView, Float64Array, ...). */
export function dtypeOf(view: ArrayBufferView): keyof typeof DTYPE_BYTES | undefined {
  if (view instanceof Int32Array) return 'DTYPE_INT32';
  if (view instanceof Float32Array) return 'DTYPE_FLOAT32';
  if (view instanceof Uint8Array) return 'DTYPE_UINT8';
  return undefined;
}

/** Elements described by a shape; the empty shape is a scalar. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
