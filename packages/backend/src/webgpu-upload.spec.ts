import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from './init-backend';
import { randomFloats } from './spec-helpers';
import { stopWebGpu } from './webgpu-backend';
import { f16ComputeRefusal } from './webgpu-f16-support';
import { READ_INTO, transferChunkBytes } from './webgpu-upload';
import { describeWebGpu } from './webgpu-test-adapter';

const MAP_READ = 0x0001;
const MAP_WRITE = 0x0002;

/** The backend internals the fix works on (see webgpu-upload.ts). */
interface Internals {
  tensorMap: { get(dataId: object): { resource?: unknown; values?: unknown } };
  bufferManager: { releaseBuffer(b: unknown): void; numBytesUsed: number };
  device: { createBuffer(d: { size: number; usage: number; mappedAtCreation?: boolean }): unknown };
  commandEncoder: unknown;
  uploadToGPU(dataId: object): void;
  numDataIds(): number;
}
const internals = () => tf.backend() as unknown as Internals;

/** Elements that differ (a count, not a diff: jest's diff of 50k-element arrays takes minutes). */
function mismatches(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Math.max(actual.length, expected.length);
  let bad = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) bad++;
  return bad;
}
const doubled = (xs: Float32Array) => xs.map((x) => 2 * x); // exact in float32

/** Every buffer the device creates while `fn` runs: the size of each mapped or mappable one. */
async function mappedSizesDuring(fn: () => Promise<void>): Promise<number[]> {
  const device = internals().device;
  const stock = device.createBuffer;
  const sizes: number[] = [];
  device.createBuffer = function (this: unknown, d) {
    if (d.mappedAtCreation || (d.usage & (MAP_READ | MAP_WRITE)) !== 0) sizes.push(d.size);
    return stock.call(device, d);
  };
  try {
    await fn();
  } finally {
    device.createBuffer = stock;
  }
  return sizes;
}

function valuesOf(dtype: 'float32' | 'int32' | 'bool', n: number, seed: number): Float32Array | Int32Array | Uint8Array {
  const f = randomFloats(n, seed);
  if (dtype === 'float32') return f;
  if (dtype === 'int32') return Int32Array.from(f, (x) => Math.round(x * 2 ** 30));
  return Uint8Array.from(f, (x) => (x > 0 ? 1 : 0));
}

describeWebGpu('webgpu chunked uploads and reads', () => {
  const CHUNK = 64 * 1024; // small chunks: many boundaries at sizes lavapipe handles quickly
  const per = CHUNK / 4;

  beforeAll(async () => {
    await initBackend({ prefer: 'webgpu' });
    expect(tf.getBackend()).toBe('webgpu');
  });
  it('the device is opened with shader-f16 where the adapter offers it (lavapipe does): f16 compute may run', () => {
    expect(f16ComputeRefusal()).toBeUndefined();
  });

  const readInto = (t: tf.Tensor, out: Float32Array, offset: number): Promise<void> =>
    (tf.backend() as unknown as Record<symbol, (id: object, o: Float32Array, at: number) => Promise<void>>)[READ_INTO].call(tf.backend(), t.dataId, out, offset);

  it.each([1, 3, per - 1, per + 1, 17 * per + 3, 33 * per + 5])(
    'readInto x %d: the exact floats at an offset, the rest of the array untouched, no full-size staging',
    async (n) => {
      const values = valuesOf('float32', n, 7 * n) as Float32Array;
      const out = new Float32Array(n + 8).fill(-7);
      const sizes = await mappedSizesDuring(async () => {
        const t = tf.tensor1d(values);
        const twice = tf.mul(t, 2); // recorded, not yet submitted: the read must come after it
        internals().uploadToGPU(t.dataId);
        await readInto(twice, out, 5);
        tf.dispose([t, twice]);
      });
      expect(mismatches(out.subarray(5, 5 + n), doubled(values))).toBe(0);
      expect(Array.from(out.subarray(0, 5))).toEqual([-7, -7, -7, -7, -7]);
      expect(Array.from(out.subarray(5 + n))).toEqual([-7, -7, -7]);
      expect(Math.max(0, ...sizes)).toBeLessThanOrEqual(CHUNK);
    },
  );

  it('readInto: host-resident values, wrong dtype and an array too small', async () => {
    const host = tf.tensor1d([1, 2, 3]);
    const out = new Float32Array(4);
    await readInto(host, out, 1);
    expect(Array.from(out)).toEqual([0, 1, 2, 3]);
    await expect(readInto(host, out, 2)).rejects.toThrow(/3 values at 2 do not fit a buffer of 4/);
    const ints = tf.tensor1d([1, 2], 'int32');
    await expect(readInto(ints, out, 0)).rejects.toThrow(/int32 tensor/);
    tf.dispose([host, ints]);
  });

  beforeEach(() => {
    transferChunkBytes(CHUNK);
    tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', 15);
  });
  afterAll(() => {
    transferChunkBytes(4 * 1024 * 1024);
    stopWebGpu();
  });

  it.each([
    ['float32', per - 1],
    ['float32', per],
    ['float32', per + 1],
    ['float32', 3 * per],
    ['float32', 3 * per + 7],
    ['int32', per + 1],
    ['int32', 5 * per - 3],
    ['float32', 33 * per + 3], // reads in three rounds of up to 16 mapped chunks
    ['bool', 2 * per + 5],
  ] as const)('%s x %d: exact round trip, nothing mapped beyond one chunk', async (dtype, n) => {
    const values = valuesOf(dtype, n, n);
    let read: ArrayLike<number> = [];
    const sizes = await mappedSizesDuring(async () => {
      const t = tf.tensor1d(values, dtype);
      internals().uploadToGPU(t.dataId);
      expect(internals().tensorMap.get(t.dataId).values).toBeNull(); // read below comes from the GPU
      read = await t.data();
      t.dispose();
    });
    expect(mismatches(read, values)).toBe(0);
    expect(Math.max(0, ...sizes)).toBeLessThanOrEqual(CHUNK);
  });

  it('a kernel reads a chunked upload, and its large output reads back exactly', async () => {
    const a = randomFloats(4 * per + 3, 11);
    const t = tf.tensor1d(a);
    const y = tf.mul(t, 2); // exact in float32
    const out = await y.data();
    expect(mismatches(out, doubled(a))).toBe(0);
    tf.dispose([t, y]);
  });

  it('the default 4 MiB chunk: an upload just over it round-trips', async () => {
    transferChunkBytes(4 * 1024 * 1024);
    const values = valuesOf('float32', 1024 * 1024 + 3, 5);
    const t = tf.tensor1d(values);
    internals().uploadToGPU(t.dataId);
    expect(mismatches(await t.data(), values)).toBe(0);
    t.dispose();
  });

  it('an unsubmitted kernel that read a pooled buffer still sees its old values after an upload reuses it', async () => {
    tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', 1000); // nothing submits on its own
    const n = 3 * per + 1;
    const oldValues = randomFloats(n, 1);
    const newValues = randomFloats(n, 2);
    const a = tf.tensor1d(oldValues);
    const y = tf.mul(a, 2); // recorded, not submitted
    expect(internals().commandEncoder).not.toBeNull();
    // Hand a's buffer to the pool while y's kernel is unsubmitted, as tfjs's own pool does for a
    // buffer whose pending staging copy was recorded by an upload that no kernel used yet.
    const aData = internals().tensorMap.get(a.dataId);
    const pooled = aData.resource;
    internals().bufferManager.releaseBuffer(pooled);
    aData.resource = null;
    a.dispose();
    const c = tf.tensor1d(newValues);
    internals().uploadToGPU(c.dataId);
    expect(internals().tensorMap.get(c.dataId).resource).toBe(pooled); // the hazard is real: same buffer
    expect(mismatches(await y.data(), doubled(oldValues))).toBe(0);
    expect(mismatches(await c.data(), newValues)).toBe(0);
    tf.dispose([y, c]);
  });

  it("tfjs's own reuse: a disposed input's buffer goes to the next upload only after its reader is submitted", async () => {
    tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', 1000);
    const n = 2 * per + 9;
    const oldValues = randomFloats(n, 3);
    const newValues = randomFloats(n, 4);
    const a = tf.tensor1d(oldValues);
    const y = tf.mul(a, 2);
    const buffer = internals().tensorMap.get(a.dataId).resource;
    a.dispose(); // pending until y's kernel is submitted
    const c = tf.tensor1d(newValues);
    internals().uploadToGPU(c.dataId);
    expect(internals().tensorMap.get(c.dataId).resource).toBe(buffer);
    expect(mismatches(await y.data(), doubled(oldValues))).toBe(0);
    expect(mismatches(await c.data(), newValues)).toBe(0);
    tf.dispose([y, c]);
  });

  it('leaves no tensor, data id or used buffer behind', async () => {
    const before = { tensors: tf.memory().numTensors, ids: internals().numDataIds(), bytes: internals().bufferManager.numBytesUsed };
    for (let i = 0; i < 3; i++) {
      const t = tf.tensor1d(randomFloats(3 * per + i, 20 + i));
      const y = tf.add(t, 1);
      await y.data();
      await t.data();
      tf.dispose([t, y]);
    }
    const s = tf.tensor1d([1]);
    const q = tf.square(s);
    await q.data(); // a submit releases what was pending
    tf.dispose([s, q]);
    expect(tf.memory().numTensors).toBe(before.tensors);
    expect(internals().numDataIds()).toBe(before.ids);
    expect(internals().bufferManager.numBytesUsed).toBe(before.bytes);
  });
});
