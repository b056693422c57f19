import * as tf from '@tensorflow/tfjs-core';
import type { NamedParameter } from '@rewardkit/core';

export interface ParameterSlot {
  readonly name: string;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly size: number;
  /** AdamW weight decay applies to matrices and embeddings, not to biases or norms. */
  readonly decay: boolean;
}

/** A flat range the optimizer updates, with its weight-decay flag (ParameterLayout.trainable's shape). */
export interface OptimizerRange {
  readonly start: number;
  readonly end: number;
  readonly decay: boolean;
}

/** Which parts of the flat buffers one update reads and writes (HostParameterStore.update; row-sparse steps). */
export interface UpdateRanges {
  /** Where the summed gradient can be nonzero: the division and norm pass reads only these. */
  readonly nonzero: readonly OptimizerRange[];
  /** What AdamW updates; absent: every trainable range (dense AdamW). */
  readonly update?: readonly OptimizerRange[];
}

/**
 * Where each parameter lives in the flat buffers (parameters, gradients, optimizer moments):
 * the model's parameter order, so every rank lays them out identically.
 */
export class ParameterLayout {
  readonly slots: readonly ParameterSlot[];
  readonly size: number;
  /** Flat [start, end) ranges the optimizer never changes (see NamedParameter.frozen). */
  readonly frozen: ReadonlyArray<readonly [number, number]>;
  /** What the optimizer updates: every slot's range minus its frozen ranges, with its decay flag. */
  readonly trainable: readonly OptimizerRange[];

  constructor(readonly parameters: readonly NamedParameter[]) {
    let offset = 0;
    this.slots = parameters.map(({ name, variable }) => {
      const size = variable.size;
      const slot = { name, shape: variable.shape, offset, size, decay: variable.rank >= 2 };
      offset += size;
      return slot;
    });
    this.size = offset;
    this.frozen = parameters.flatMap((p, i) => (p.frozen ?? []).map(([a, b]) => [this.slots[i].offset + a, this.slots[i].offset + b] as const));
    this.trainable = this.slots.flatMap((slot, i) => {
      const cuts = [...(parameters[i].frozen ?? [])].sort((x, y) => x[0] - y[0]);
      const out: { start: number; end: number; decay: boolean }[] = [];
      let at = 0;
      for (const [a, b] of [...cuts, [slot.size, slot.size] as const]) {
        if (a > at) out.push({ start: slot.offset + at, end: slot.offset + a, decay: slot.decay });
        at = Math.max(at, b);
      }
      return out;
    });
  }

  /** Copies the variables' current values into one buffer. */
  read(): Float32Array {
    const out = new Float32Array(this.size);
    this.parameters.forEach(({ variable }, i) => out.set(variable.dataSync() as Float32Array, this.slots[i].offset));
    return out;
  }

  /** Like `read`, with asynchronous read-backs (backends that cannot read synchronously: webgpu). */
  async readAsync(): Promise<Float32Array> {
    const out = new Float32Array(this.size);
    const values = await Promise.all(this.parameters.map(({ variable }) => variable.data()));
    values.forEach((v, i) => out.set(v as Float32Array, this.slots[i].offset));
    return out;
  }

  /** Assigns the variables from one buffer. */
  write(flat: Float32Array): void {
    this.parameters.forEach(({ variable }, i) => {
      const { offset, size, shape } = this.slots[i];
      const t = tf.tensor(flat.subarray(offset, offset + size), shape as number[], 'float32');
      variable.assign(t);
      t.dispose();
    });
  }

  /** Flattens a gradient map (keyed by variable name) into `out`; a missing gradient is zeros. */
  flattenGrads(grads: tf.NamedTensorMap, out: Float32Array): void {
    this.parameters.forEach(({ variable }, i) => {
      const { offset, size } = this.slots[i];
      const g = grads[variable.name];
      if (g) out.set(g.dataSync() as Float32Array, offset);
      else out.fill(0, offset, offset + size);
    });
  }

  /** The variables' current values as one flat device tensor [size] (no read-back). */
  concatValues(): tf.Tensor1D {
    return tf.tidy(() => tf.concat(this.parameters.map(({ variable }) => tf.reshape(variable, [-1]))) as tf.Tensor1D);
  }

  /** A gradient map (keyed by variable name) as one flat device tensor [size]; a missing gradient is zeros. */
  concatGrads(grads: tf.NamedTensorMap): tf.Tensor1D {
    return tf.tidy(() =>
      tf.concat(this.parameters.map(({ variable }, i) => (grads[variable.name] ? tf.reshape(grads[variable.name], [-1]) : tf.zeros([this.slots[i].size])))),
    ) as tf.Tensor1D;
  }

  /** Assigns the variables from one flat device tensor (slices on the device, nothing read back). */
  assignFlat(flat: tf.Tensor1D): void {
    this.parameters.forEach(({ variable }, i) => {
      const { offset, size, shape } = this.slots[i];
      const t = tf.tidy(() => tf.reshape(tf.slice(flat, [offset], [size]), shape as number[]));
      variable.assign(t);
      t.dispose();
    });
  }

  /** Per element: 0 frozen, 1 trainable, 2 trainable and weight-decayed (the device update's mask). */
  codes(): Float32Array {
    const out = new Float32Array(this.size);
    for (const { start, end, decay } of this.trainable) out.fill(decay ? 2 : 1, start, end);
    return out;
  }

  /** Views of one flat buffer per parameter name (for safetensors). */
  views(flat: Float32Array): Map<string, { shape: readonly number[]; data: Float32Array }> {
    return new Map(this.slots.map((s) => [s.name, { shape: s.shape, data: flat.subarray(s.offset, s.offset + s.size) }]));
  }
}
