/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length, a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__}`,
 * then the raw little-endian tensor bytes. Read by Python's `safetensors` and Hugging Face tools.
 */
import fs from 'node:fs';
import { CheckpointError } from '@rewardkit/core';

export type SafeDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I32' | 'I64';

export interface SafeTensor {
  readonly dtype: SafeDtype;
  readonly shape: readonly number[];
  /** Float32Array for F32/F16/BF16 (widened, exactly), Float64Array for F64, Int32Array for I32/I64 (narrowed). */
  readonly data: Float32Array | Float64Array | Int32Array;
}

export interface SafetensorsFile {
  readonly tensors: Map<string, SafeTensor>;
  readonly metadata: Record<string, string>;
}

const BYTES: Record<SafeDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8, I32: 4, I64: 8 };

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Serializes tensors (F32, F64 or I32) in insertion order. */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, SafeTensor> | Record<string, SafeTensor>,
  metadata: Record<string, string> = {},
): Buffer {
  const entries: [string, SafeTensor][] = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    if (t.dtype !== 'F32' && t.dtype !== 'F64' && t.dtype !== 'I32') {
      throw new CheckpointError(`safetensors: writing dtype ${t.dtype} is not supported (tensor "${name}")`);
    }
    if (t.data.length !== elementCount(t.shape)) {
      throw new CheckpointError(`safetensors: tensor "${name}" has ${t.data.length} values for shape [${t.shape}]`);
    }
    const bytes = t.data.length * BYTES[t.dtype as SafeDtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let at = 8 + headerBytes.length;
  for (const [, t] of entries) {
    const src = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    src.copy(out, at);
    at += src.length;
  }
  return out;
}

export function decodeSafetensors(buf: Buffer, source = 'safetensors data'): SafetensorsFile {
  if (buf.length < 8) throw new CheckpointError(`${source}: too short to be a safetensors file`);
  const headerLen = Number(buf.readBigUInt64LE(0));
  if (headerLen > buf.length - 8) throw new CheckpointError(`${source}: header length ${headerLen} exceeds the file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8'));
  } catch {
    throw new CheckpointError(`${source}: header is not valid JSON`);
  }
  const base = 8 + headerLen;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets } = entry as { dtype: SafeDtype; shape: number[]; data_offsets: [number, number] };
    if (!(dtype in BYTES)) throw new CheckpointError(`${source}: tensor "${name}" has unsupported dtype ${dtype}`);
    const [begin, end] = data_offsets;
    const n = elementCount(shape);
    if (end - begin !== n * BYTES[dtype] || base + end > buf.length) {
      throw new CheckpointError(`${source}: tensor "${name}" offsets [${begin}, ${end}] do not fit shape [${shape}] ${dtype}`);
    }
    // Copy out: the file buffer is not guaranteed to be aligned for typed-array views.
    const bytes = Buffer.from(buf.subarray(base + begin, base + end));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let data: Float32Array | Float64Array | Int32Array;
    if (dtype === 'F32') data = new Float32Array(bytes.buffer, bytes.byteOffset, n);
    else if (dtype === 'F64') data = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + n * 8));
    else if (dtype === 'I32') data = new Int32Array(bytes.buffer, bytes.byteOffset, n);
    else if (dtype === 'I64') {
      data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = Number(view.getBigInt64(i * 8, true));
    } else if (dtype === 'BF16') {
      // bfloat16 is the top half of a float32: shifting its bits up is the exact upcast.
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      data = new Float32Array(bits.buffer);
    } else {
      data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = halfToFloat(view.getUint16(i * 2, true));
    }
    tensors.set(name, { dtype, shape, data });
  }
  return { tensors, metadata };
}

export function writeSafetensorsFile(file: string, tensors: ReadonlyMap<string, SafeTensor>, metadata?: Record<string, string>): void {
  fs.writeFileSync(file, encodeSafetensors(tensors, metadata));
}

export function readSafetensorsFile(file: string): SafetensorsFile {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    throw new CheckpointError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return decodeSafetensors(buf, file);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
