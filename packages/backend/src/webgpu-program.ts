/**
 * The one shape every rewardkit WGSL kernel takes: a tfjs `WebGPUProgram` over a flat index, run
 * through the backend's own `runWebGPUProgram` (so bindings, uniform packing, dispatch reshaping
 * past 65,535 workgroups and pipeline caching are tfjs's). A program writes exactly one output
 * buffer and binds its inputs read-only, as tfjs requires; a kernel that needs several outputs
 * runs several programs.
 *
 * `threads` is how many invocations the program needs (not the output size): the user code gets
 * `index` (0..threads-1 when the dispatch covers it exactly; it must check `index < uniforms.threads`)
 * and may use `localId`/`workgroup` memory, since `index / workgroupSize` is one workgroup even
 * when tfjs folds a long dispatch into two dimensions.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

/** A scalar the shader reads as `uniforms.<name>`. */
export interface Uniform {
  readonly name: string;
  readonly type: 'f32' | 'i32';
  readonly value: number;
}

export interface ProgramSpec {
  /** Names the compiled pipeline in tfjs's cache (with the input shapes tfjs adds itself). */
  readonly key: string;
  readonly inputs: readonly string[];
  readonly outputShape: readonly number[];
  readonly threads: number;
  readonly workgroup: number;
  readonly uniforms: readonly Uniform[];
  /** WGSL defining `fn main(index : i32)`, plus any helpers and workgroup variables. */
  readonly code: string;
}

class FlatProgram implements WebGPUProgram {
  readonly outputShape: number[];
  readonly variableNames: string[];
  readonly uniforms: string;
  readonly workgroupSize: [number, number, number];
  readonly dispatchLayout = { x: [0] };
  dispatch: [number, number, number];
  shaderKey: string;

  constructor(private readonly spec: ProgramSpec) {
    this.outputShape = [...spec.outputShape];
    this.variableNames = [...spec.inputs];
    this.uniforms = ['threads : i32,', ...spec.uniforms.map((u) => `${u.name} : ${u.type},`)].join(' ');
    this.workgroupSize = [spec.workgroup, 1, 1];
    this.dispatch = [Math.ceil(spec.threads / spec.workgroup), 1, 1];
    this.shaderKey = spec.key;
  }

  getUserCode(): string {
    return this.spec.code;
  }
}

/** Runs one program; the caller owns (and disposes) the returned tensor info. */
export function runProgram(backend: WebGPUBackend, spec: ProgramSpec, inputs: readonly tf.TensorInfo[], dtype: tf.DataType = 'float32'): tf.TensorInfo {
  const uniforms = [{ type: 'int32', data: [spec.threads] }, ...spec.uniforms.map((u) => ({ type: u.type === 'f32' ? 'float32' : 'int32', data: [u.value] }))];
  return backend.runWebGPUProgram(new FlatProgram(spec), [...inputs], dtype, uniforms);
}

/** WGSL: a tree sum over a workgroup of `wg` (a power of two) threads; every thread gets the total. */
export function workgroupSumSnippet(wg: number): string {
  return `
    var<workgroup> partial : array<f32, ${wg}>;
    fn workgroupSum(value : f32, tid : i32) -> f32 {
      partial[tid] = value;
      workgroupBarrier();
      for (var stride = ${wg / 2}; stride > 0; stride = stride / 2) {
        if (tid < stride) { partial[tid] = partial[tid] + partial[tid + stride]; }
        workgroupBarrier();
      }
      let total = partial[0];
      workgroupBarrier();
      return total;
    }`;
}

/** Throws a kernel's own error for an input of the wrong rank, size or dtype. */
export function expectInput(kernel: string, name: string, t: tf.TensorInfo | undefined, shape: readonly number[], dtype: tf.DataType = 'float32'): tf.TensorInfo {
  if (t === undefined) throw new Error(`${kernel}: input ${name} is missing`);
  if (t.dtype !== dtype) throw new Error(`${kernel}: input ${name} is ${t.dtype}, expected ${dtype}`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${kernel}: input ${name} has shape [${t.shape}], expected [${shape}]`);
  }
  return t;
}

/** The named inputs of a kernel call, each present (else the kernel's own error). */
export function named<K extends string>(kernel: string, inputs: tf.NamedTensorInfoMap, names: readonly K[]): Record<K, tf.TensorInfo> {
  const out = {} as Record<K, tf.TensorInfo>;
  for (const n of names) {
    const t = inputs[n];
    if (t === undefined) throw new Error(`${kernel}: input ${n} is missing`);
    out[n] = t;
  }
  return out;
}
