/**
 * One compute dispatch that writes SEVERAL output tensors, recorded into tfjs-webgpu's own command
 * stream. tfjs's `runWebGPUProgram` binds exactly one writable buffer per program (its shader
 * header declares `result` read_write and every input read-only), so a backward pass with two
 * gradients costs two dispatches through it. Here the shader is ours whole (bindings: outputs
 * read_write, then inputs read-only, then one uniform struct) and we do what tfjs's
 * `recordAndSubmit` does with it: upload inputs, allocate outputs from its buffer pool, add the
 * dispatch to the open compute pass, mark every buffer as owned by the queue (so a dispose waits
 * for the submit), count it towards WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE, and take timestamps when a
 * `tf.profile`/`tf.time` is active. Private members of tfjs-backend-webgpu 4.22 (pinned); the
 * spec checks values, gradients, leaks and a profiled run on the adapter.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The tfjs-webgpu backend members used here (private in its typings; present in 4.22). */
interface BackendInternals {
  device: GPUDeviceLike;
  tensorMap: { get(dataId: object): { resource?: unknown } };
  commandEncoder: { beginComputePass(d: object): PassLike } | null;
  computePassEncoder: PassLike | null;
  commandQueueOwnedIds: WeakSet<object>;
  dispatchCountInPass: number;
  activeTimers: { name: string; query: Promise<number> }[] | null;
  supportTimestampQuery: boolean;
  querySet: unknown;
  querySetCount: number;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  uploadToGPU(dataId: object): void;
  makeUniforms(u: { type: string; data: number[] }[]): unknown;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  getQueryTime(): Promise<number>;
}
interface PassLike {
  setPipeline(p: unknown): void;
  setBindGroup(i: number, g: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}
interface GPUDeviceLike {
  createShaderModule(d: { code: string }): unknown;
  createComputePipeline(d: object): { getBindGroupLayout(i: number): unknown };
  createBindGroup(d: object): unknown;
  createQuerySet(d: object): unknown;
}

export interface RawUniform {
  readonly name: string;
  readonly type: 'i32' | 'f32';
  readonly value: number;
}

export interface RawProgram {
  /** Names the compiled pipeline in our cache; must change whenever `code` does. */
  readonly key: string;
  /** Output names and shapes (float32), bound read_write in this order from binding 0. */
  readonly outputs: readonly { readonly name: string; readonly shape: readonly number[] }[];
  /** Input names, bound read-only after the outputs, in the order of `inputs` passed to run. */
  readonly inputNames: readonly string[];
  readonly uniforms: readonly RawUniform[];
  readonly workgroups: number;
  readonly workgroupSize: number;
  /** WGSL body: `fn main(i : i32)` (i the global invocation index), plus helpers. */
  readonly code: string;
}

/** Largest 1-D dispatch (WebGPU's maxComputeWorkgroupsPerDimension default). */
export const MAX_WORKGROUPS = 65535;

const pipelines = new WeakMap<object, Map<string, { getBindGroupLayout(i: number): unknown }>>();

function shaderOf(p: RawProgram): string {
  const lines: string[] = [];
  let b = 0;
  for (const o of p.outputs) lines.push(`@group(0) @binding(${b++}) var<storage, read_write> ${o.name} : array<f32>;`);
  for (const n of p.inputNames) lines.push(`@group(0) @binding(${b++}) var<storage, read> ${n} : array<f32>;`);
  // tfjs's makeUniforms packs scalars at 4-byte alignment, which a struct of i32/f32 scalars matches
  const fields = p.uniforms.length > 0 ? p.uniforms.map((u) => `${u.name} : ${u.type},`).join(' ') : 'unused : i32,';
  lines.push(`struct Uniforms { ${fields} }`, `@group(0) @binding(${b}) var<uniform> uniforms : Uniforms;`);
  lines.push(p.code);
  lines.push(`@compute @workgroup_size(${p.workgroupSize}) fn rewardkitMain(@builtin(global_invocation_id) gid : vec3<u32>) { main(i32(gid.x)); }`);
  return lines.join('\n');
}

function pipelineOf(backend: BackendInternals, p: RawProgram): { getBindGroupLayout(i: number): unknown } {
  let cache = pipelines.get(backend.device as object);
  if (!cache) pipelines.set(backend.device as object, (cache = new Map()));
  let pipeline = cache.get(p.key);
  if (!pipeline) {
    const module = backend.device.createShaderModule({ code: shaderOf(p) });
    pipeline = backend.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'rewardkitMain' } });
    cache.set(p.key, pipeline);
  }
  return pipeline;
}

/** Records `p` into the backend's command stream; returns its outputs (the caller's to dispose). */
export function runRawProgram(backendArg: tf.KernelBackend, p: RawProgram, inputs: readonly tf.TensorInfo[]): tf.TensorInfo[] {
  const backend = backendArg as unknown as BackendInternals;
  if (inputs.length !== p.inputNames.length) throw new Error(`${p.key}: ${inputs.length} inputs for ${p.inputNames.length} bindings`);
  if (p.workgroups > MAX_WORKGROUPS) throw new Error(`${p.key}: ${p.workgroups} workgroups exceed the ${MAX_WORKGROUPS} of one dispatch dimension`);
  for (const t of inputs) if (t.dtype !== 'float32') throw new Error(`${p.key}: inputs must be float32, got ${t.dtype}`);
  const outputs = p.outputs.map((o) => backend.makeTensorInfo([...o.shape], 'float32'));
  for (const t of [...outputs, ...inputs]) backend.uploadToGPU(t.dataId);
  const pipeline = pipelineOf(backend, p);
  const buffers = [...outputs, ...inputs].map((t) => ({ buffer: backend.tensorMap.get(t.dataId).resource }));
  const uniforms = backend.makeUniforms(
    p.uniforms.length > 0 ? p.uniforms.map((u) => ({ type: u.type === 'f32' ? 'float32' : 'int32', data: [u.value] })) : [{ type: 'int32', data: [0] }],
  );
  const bindGroup = backend.device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [...buffers, uniforms].map((resource, binding) => ({ binding, resource })),
  });
  for (const t of [...inputs, ...outputs]) backend.commandQueueOwnedIds.add(t.dataId);
  backend.ensureCommandEncoderReady();
  const timed = backend.activeTimers != null;
  if (timed && backend.supportTimestampQuery) {
    // as tfjs times a program: its own pass with begin/end timestamps, resolved by getQueryTime
    backend.endComputePassEncoder();
    backend.querySet ??= backend.device.createQuerySet({ type: 'timestamp', count: backend.querySetCount });
    backend.computePassEncoder = backend.commandEncoder!.beginComputePass({
      timestampWrites: { querySet: backend.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 },
    });
  } else if (!backend.computePassEncoder) {
    backend.computePassEncoder = backend.commandEncoder!.beginComputePass({});
  }
  const pass = backend.computePassEncoder!;
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(p.workgroups, 1, 1);
  backend.dispatchCountInPass++;
  if (timed || (tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number) <= backend.dispatchCountInPass) {
    backend.endComputePassEncoder();
    if (timed) backend.activeTimers!.push({ name: p.key, query: backend.getQueryTime() });
    else backend.submitQueue();
  }
  return outputs;
}
