import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, createLogger } from '@rewardkit/core';
import type { AdamWConfig, AdamWState } from './adamw';
import type { ParameterLayout, UpdateRanges } from './parameter-layout';

const log = createLogger('engine');

/** Where parameters, AdamW moments and the update live. */
export type StoreKind = 'host' | 'device';

/** Which store a replica gets: `auto` is device on webgpu, host elsewhere. */
export type StoreChoice = StoreKind | 'auto';

/** Parameters and optimizer state as host buffers (checkpoints, tests). */
export interface ParameterSnapshot {
  /** Flat parameters in layout order. */
  readonly theta: Float32Array;
  readonly optimizer: AdamWState;
}

export interface StoreConfig extends AdamWConfig {
  readonly clipNorm: number;
}

/**
 * The seam between a replica's step and where its parameters live. Two implementations with one
 * arithmetic (AdamW, PyTorch's formulation, after dividing by the global count and clipping the
 * global norm):
 * - `HostParameterStore`: flat Float32Array theta/m/v and AdamW in JavaScript; the model's
 *   variables are rewritten from theta after every update (wasm, cpu, tensorflow);
 * - `DeviceParameterStore`: flat tensors on the backend's device and a fused update kernel where
 *   the backend registers one (webgpu), so a step of one worker reads back nothing but its stats.
 */
export interface ParameterStore {
  readonly kind: StoreKind;
  readonly layout: ParameterLayout;
  /** True when the update runs as one registered kernel rather than composed ops or JS. */
  readonly fused: boolean;
  /**
   * One AdamW update from the summed gradient `grad` [P] (a host buffer or a device tensor: each
   * store takes both and moves it once where needed; a host buffer may be consumed). Divides by
   * `count`, zeroes frozen ranges, clips the global norm, updates and writes the model's variables.
   * Returns the global norm before clipping: a number, or a [1] tensor on the device that the
   * caller reads together with the step's other statistics (one read-back a step). `ranges`
   * (host store only, row-sparse steps): where `grad` can be nonzero, and what a lazy update
   * changes (row-sparse.ts).
   */
  update(grad: Float32Array | tf.Tensor1D, count: number, lr: number, ranges?: UpdateRanges): number | tf.Tensor1D;
  /** Reads parameters and moments back to the host (on demand: checkpoints, tests). */
  snapshot(): Promise<ParameterSnapshot>;
  /** The parameters alone on the host (the host store's own buffer, not a copy; a device store reads them back). */
  parameters(): Promise<Float32Array>;
  /** Replaces parameters and/or optimizer state (a checkpoint), writing the model's variables. */
  restore(state: { readonly theta?: Float32Array; readonly optimizer?: AdamWState }): void;
  /** Frees device memory the store holds (not the model's variables). */
  dispose(): void;
}

/** Overrides what `auto` picks (host or device), for A/B timings: the bench, the GPU check. */
export const PARAMETER_STORE_ENV = 'REWARDKIT_PARAMETER_STORE';

/**
 * The most float32 values one flat tensor may hold on the active backend: webgpu binds a buffer
 * of at most `maxStorageBufferBindingSize` bytes to a shader (2 GiB on an H200, 128 MiB on
 * lavapipe); other backends have no such limit.
 */
export function maxFlatElements(): number {
  const backend = tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } };
  const bytes = backend.device?.limits?.maxStorageBufferBindingSize;
  return bytes ? Math.floor(bytes / 4) : Number.POSITIVE_INFINITY;
}

/**
 * `auto` picks the device store where parameters would otherwise cross a bus every step (webgpu)
 * and its flat buffers fit one binding, unless REWARDKIT_PARAMETER_STORE says otherwise; an
 * explicit choice wins over both.
 */
export function resolveStoreKind(choice: StoreChoice = 'auto', parameters = 0, env: NodeJS.ProcessEnv = process.env): StoreKind {
  if (choice !== 'auto') return choice;
  const forced = env[PARAMETER_STORE_ENV];
  if (forced === 'host' || forced === 'device') return forced;
  if (forced) throw new ConfigError(`${PARAMETER_STORE_ENV}=${forced}: expected 'host' or 'device'`);
  if (tf.getBackend() !== 'webgpu') return 'host';
  if (parameters > maxFlatElements()) {
    log.warn(
      `parameter store: host, not device: ${parameters} parameters as one flat float32 buffer exceed this adapter's ` +
        `largest storage binding (${maxFlatElements() * 4} bytes), so every step reads gradients back and uploads parameters`,
    );
    return 'host';
  }
  return 'device';
}
