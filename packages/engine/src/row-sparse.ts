/**
 * Row-sparse gradients for embedding tables (issue 12).
 *
 * GPT-2's token embedding is [50257, C] but a step of 32 pairs looks up a few thousand rows. Taken
 * densely, its gradient is a [V, C] scatter-add (mostly zeros) that is read back, all-reduced
 * (13 MB a step at C = 64) and walked by AdamW. Here the step instead:
 *   1. agrees on the rows: each rank marks the rows its shard uses (`RewardModel.rowsUsed`) in a
 *      presence vector, one small all-reduce sums them, and every rank takes the same union (so the
 *      ring all-reduces same-size buffers with the same meaning, and N ranks compute what 1 does);
 *   2. gathers those rows into a [U, C] table and takes the gradient with respect to it (the model
 *      looks the table up in place of the embedding: `ScoreOptions.gatheredRows`);
 *   3. lays the gradient out compactly: every parameter in layout order, a sparse table's slot
 *      holding its U rows only, then the step's statistics; this compact buffer is what is summed;
 *   4. expands the sum back to the flat [P] buffer the optimizer reads.
 *
 * Mode 'rows' keeps AdamW dense (every row's moments decay every step) and computes the dense
 * path's gradient: the same scatter-add per row in the same order, zeros elsewhere. Bit for bit
 * with 1 or 2 ranks; on a ring of 3+ an element's sum over ranks can run in another order (the
 * compact layout moves elements between ring segments), so results agree to float32 rounding.
 * Mode 'lazy' is PyTorch's SparseAdam semantics for the tables: rows outside the union are left
 * alone that step (no moment decay, no weight decay, no update), which changes results; other
 * parameters are updated as always.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, PluginError, type GatheredRows, type RewardModel, type SequenceBatch } from '@rewardkit/core';
import type { OptimizerRange, ParameterLayout, UpdateRanges } from './parameter-layout';
import { readTensorInto } from './parameter-store-transfer';

/** 'off': dense gradients; 'rows': row-sparse gradient, dense AdamW (same results); 'lazy': row-sparse AdamW too. */
export type RowSparseMode = 'off' | 'rows' | 'lazy';

interface SparseSlot {
  /** Index into layout.slots / layout.parameters. */
  readonly slot: number;
  readonly name: string;
  /** V rows of C values. */
  readonly rows: number;
  readonly width: number;
}

/** The rows one step works on, agreed by every rank, and where everything sits in the compact buffer. */
export interface StepRows {
  /** Per sparse slot (RowSparseGradients.slots order): row ids, ascending and distinct. */
  readonly ids: readonly Int32Array[];
  /** Per layout slot: its offset in the compact buffer. */
  readonly offsets: readonly number[];
  /** Floats of the compact gradient (without the statistics). */
  readonly size: number;
}

export class RowSparseGradients {
  readonly slots: readonly SparseSlot[];
  /** Per layout slot: its index in `slots`, or -1 for a dense parameter. */
  private readonly tableOf: readonly number[];
  private compact = new Float32Array(0);

  private constructor(
    private readonly layout: ParameterLayout,
    private readonly model: RewardModel,
    readonly mode: Exclude<RowSparseMode, 'off'>,
    slots: SparseSlot[],
  ) {
    this.slots = slots;
    this.tableOf = layout.slots.map((_, i) => slots.findIndex((s) => s.slot === i));
  }

  /**
   * The row-sparse step for `model`, or undefined where it does not apply: mode 'off', or a model
   * that names no table (`rowsUsed` absent). Tables are found by parameter name from an empty batch:
   * the contract has no separate list of tables (one more field every model would have to keep in
   * step with rowsUsed), and an empty batch uses no rows, so any model can answer it; the model
   * contract suite checks what rowsUsed names.
   */
  static create(layout: ParameterLayout, model: RewardModel, mode: RowSparseMode = 'off'): RowSparseGradients | undefined {
    if (mode === 'off' || !model.rowsUsed) return undefined;
    const empty: SequenceBatch = { rows: 0, width: 0, ids: new Int32Array(0), lengths: new Int32Array(0), promptLengths: new Int32Array(0) };
    const slots: SparseSlot[] = [];
    for (const name of model.rowsUsed(empty).keys()) {
      const slot = layout.slots.findIndex((s) => s.name === name);
      if (slot < 0 || layout.slots[slot].shape.length !== 2) {
        throw new ConfigError(`row-sparse gradients: the model names '${name}' as a table, but it is not a 2-D parameter of the model`);
      }
      const [rows, width] = layout.slots[slot].shape;
      slots.push({ slot, name, rows, width });
    }
    return slots.length ? new RowSparseGradients(layout, model, mode, slots) : undefined;
  }

  /**
   * The rows of this step: those `batch` (this rank's shard; undefined when empty) uses, united
   * over ranks through `allReduce` of a presence vector (world of one: none).
   */
  async agree(batch: SequenceBatch | undefined, allReduce?: (buf: Float32Array) => Promise<void>): Promise<StepRows> {
    const used = batch ? this.model.rowsUsed!(batch) : new Map<string, Int32Array>();
    let ids = this.slots.map((s) => used.get(s.name) ?? new Int32Array(0));
    if (allReduce) {
      const presence = new Float32Array(this.slots.reduce((n, s) => n + s.rows, 0));
      let base = 0;
      this.slots.forEach((s, k) => {
        for (const id of ids[k]) presence[base + id] = 1;
        base += s.rows;
      });
      await allReduce(presence); // counts of ranks: small integers, exact on either wire
      base = 0;
      ids = this.slots.map((s) => {
        const out: number[] = [];
        for (let id = 0; id < s.rows; id++) if (presence[base + id] > 0) out.push(id);
        base += s.rows;
        return Int32Array.from(out);
      });
    }
    const offsets: number[] = [];
    let size = 0;
    this.layout.slots.forEach((slot, i) => {
      offsets.push(size);
      const k = this.tableOf[i];
      size += k < 0 ? slot.size : ids[k].length * this.slots[k].width;
    });
    return { ids, offsets, size };
  }

  /** The [U, C] rows of each table at `rows`, gathered from the variables; the caller disposes the tables. */
  gather(rows: StepRows): Map<string, GatheredRows> {
    return new Map(
      this.slots.map((s, k) => {
        const variable = this.layout.parameters[s.slot].variable;
        const table = tf.tidy(() => tf.gather(variable, tf.tensor1d(rows.ids[k], 'int32'))) as tf.Tensor2D; // [U, C]
        return [s.name, { ids: rows.ids[k], table }];
      }),
    );
  }

  /**
   * d(loss)/d(every parameter), the tables' with respect to their gathered rows: `f` must score
   * with `gathered` as `ScoreOptions.gatheredRows`. Keyed by variable name like tf.variableGrads
   * (a table's gradient is then [U, C]); a parameter no path reaches has no entry.
   */
  gradients(f: () => tf.Scalar, gathered: ReadonlyMap<string, GatheredRows>): { value: tf.Scalar; grads: tf.NamedTensorMap } {
    const xs = this.layout.parameters.map((p) => gathered.get(p.name)?.table ?? p.variable);
    const { value, grads } = tf.engine().gradients(f, xs, undefined, true);
    const named: tf.NamedTensorMap = {};
    this.layout.parameters.forEach((p, i) => {
      if (grads[i]) named[p.variable.name] = grads[i];
    });
    return { value: value as tf.Scalar, grads: named };
  }

  /**
   * Reads the gradients (as `gradients` keys them) and the statistics `tail` into the compact
   * buffer, which it returns ([rows.size + tail.size], reused between steps). A missing gradient
   * of a dense parameter is zeros; `grads` undefined (an empty shard) gives zeros throughout. A
   * table's gradient must be [U, C] over its gathered rows when the shard uses rows of it: missing
   * (the model did not look up `gatheredRows`, so the table would silently never train) or of
   * another shape (a [V, C] gradient would overrun the compact slot) is a PluginError.
   */
  async read(grads: tf.NamedTensorMap | undefined, tail: tf.Tensor1D | Float32Array, rows: StepRows): Promise<Float32Array> {
    const out = this.buffer(rows.size + (tail instanceof Float32Array ? tail.length : tail.size));
    const reads: Promise<void>[] = [];
    this.layout.parameters.forEach((p, i) => {
      const g = grads?.[p.variable.name];
      const at = rows.offsets[i];
      const end = i + 1 < rows.offsets.length ? rows.offsets[i + 1] : rows.size;
      const k = this.tableOf[i];
      if (grads && k >= 0 && end > at) this.checkTable(this.slots[k], g, rows.ids[k].length);
      if (g) reads.push(readTensorInto(g, out, at));
      else out.fill(0, at, end);
    });
    if (tail instanceof Float32Array) out.set(tail, rows.size);
    else reads.push(readTensorInto(tail, out, rows.size));
    await Promise.all(reads);
    return out;
  }

  /**
   * The summed compact buffer into the flat optimizer buffer `dense` ([P + stats]): dense slots
   * and statistics copied, each table's rows put back at their ids, every other row zero (the
   * dense gradient's exact zeros; in mode 'lazy' nothing reads them, but nothing stale stays).
   */
  expand(compact: Float32Array, rows: StepRows, dense: Float32Array): void {
    const P = this.layout.size;
    this.layout.slots.forEach((slot, i) => {
      const k = this.tableOf[i];
      const at = rows.offsets[i];
      if (k < 0) {
        dense.set(compact.subarray(at, at + slot.size), slot.offset);
        return;
      }
      const { width } = this.slots[k];
      dense.fill(0, slot.offset, slot.offset + slot.size);
      const ids = rows.ids[k];
      for (let r = 0; r < ids.length; r++) {
        dense.set(compact.subarray(at + r * width, at + (r + 1) * width), slot.offset + ids[r] * width);
      }
    });
    dense.set(compact.subarray(rows.size), P);
  }

  /**
   * Where this step's summed gradient can be nonzero (the layout's trainable ranges with each table
   * cut down to the agreed rows; the norm pass reads only these, the rest being exact zeros), and
   * in mode 'lazy' the same ranges as all AdamW updates.
   */
  updateRanges(rows: StepRows): UpdateRanges {
    const cut: OptimizerRange[] = [];
    const tables = this.slots.map((s, k) => {
      const { offset, size } = this.layout.slots[s.slot];
      return { start: offset, end: offset + size, ids: rows.ids[k], width: s.width };
    });
    for (const range of this.layout.trainable) {
      const table = tables.find((t) => range.start >= t.start && range.end <= t.end);
      if (!table) {
        cut.push(range);
        continue;
      }
      for (const id of table.ids) {
        const start = Math.max(range.start, table.start + id * table.width);
        const end = Math.min(range.end, table.start + (id + 1) * table.width);
        if (start < end) cut.push({ start, end, decay: range.decay });
      }
    }
    return { nonzero: cut, update: this.mode === 'lazy' ? cut : undefined };
  }

  /** A table's gradient in a step that gathered `used` of its rows: present and [used, C]. */
  private checkTable(slot: SparseSlot, g: tf.Tensor | undefined, used: number): void {
    const want = `[${used}, ${slot.width}]`;
    if (!g) {
      throw new PluginError(
        `row-sparse gradients: the model names '${slot.name}' in rowsUsed, but its score did not look up ScoreOptions.gatheredRows ` +
          `for it (no gradient reached the ${used} gathered rows), so the table would never train: use the gathered rows, or leave '${slot.name}' out of rowsUsed`,
      );
    }
    if (g.shape.length !== 2 || g.shape[0] !== used || g.shape[1] !== slot.width) {
      throw new PluginError(`row-sparse gradients: the gradient of table '${slot.name}' is [${g.shape.join(', ')}], expected ${want} (the gathered rows, not the whole table)`);
    }
  }

  private buffer(n: number): Float32Array {
    if (this.compact.length < n) this.compact = new Float32Array(Math.max(n, Math.ceil(this.compact.length * 1.25)));
    return this.compact.subarray(0, n);
  }
}
