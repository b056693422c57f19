/**
 * Reading safetensors against what a model expects, written once: every reader of weights
 * (checkpoints, exported model directories, Hugging Face checkpoints) matches a file's tensors to
 * the expected names and shapes here, and either reports every mismatch at once (`matchTensors`)
 * or copies into a flat buffer and stops at the first (`readIntoFlat`).
 */
import { CheckpointError } from '@rewardkit/core';
import type { SafeTensor } from './safetensors';

export interface ExpectedTensor {
  readonly name: string;
  readonly shape: readonly number[];
}

export interface TensorMatch {
  /** Float data of each expected tensor found with the right shape, by expected name. */
  readonly found: Map<string, Float32Array>;
  /** Expected names (without prefix) the file lacks. */
  readonly missing: string[];
  readonly misshapen: { readonly name: string; readonly shape: readonly number[]; readonly expected: readonly number[] }[];
  /** Integer tensors where floats are expected. */
  readonly notFloat: { readonly name: string; readonly dtype: string }[];
  /** Names in the file (under the prefix) that nothing expected. */
  readonly unexpected: string[];
}

/** Matches `tensors[prefix + name]` to each expected tensor. */
export function matchTensors(tensors: ReadonlyMap<string, SafeTensor>, expected: readonly ExpectedTensor[], opts: { prefix?: string } = {}): TensorMatch {
  const prefix = opts.prefix ?? '';
  const match: TensorMatch = { found: new Map(), missing: [], misshapen: [], notFloat: [], unexpected: [] };
  const claimed = new Set<string>();
  for (const e of expected) {
    const t = tensors.get(prefix + e.name);
    claimed.add(prefix + e.name);
    if (!t) match.missing.push(e.name);
    else if (t.shape.length !== e.shape.length || t.shape.some((n, i) => n !== e.shape[i])) match.misshapen.push({ name: e.name, shape: t.shape, expected: e.shape });
    else if (t.dtype === 'I32' || t.dtype === 'I64') match.notFloat.push({ name: e.name, dtype: t.dtype });
    else match.found.set(e.name, t.data instanceof Float32Array ? t.data : Float32Array.from(t.data));
  }
  for (const name of tensors.keys()) if (name.startsWith(prefix) && !claimed.has(name)) match.unexpected.push(name);
  return match;
}

/**
 * Copies each expected tensor into `target` at its offset (a ParameterLayout's flat order).
 * Throws a CheckpointError naming `source` at the first missing, misshapen or integer tensor;
 * `hint` is appended to a shape mismatch. Tensors nothing expects are ignored.
 */
export function readIntoFlat(
  tensors: ReadonlyMap<string, SafeTensor>,
  slots: readonly (ExpectedTensor & { readonly offset: number })[],
  target: Float32Array,
  opts: { readonly source: string; readonly prefix?: string; readonly hint?: string },
): void {
  const prefix = opts.prefix ?? '';
  const match = matchTensors(tensors, slots, { prefix });
  const first = match.missing[0];
  if (first !== undefined) throw new CheckpointError(`${opts.source}: missing tensor "${prefix}${first}"`);
  const bad = match.misshapen[0];
  if (bad) throw new CheckpointError(`${opts.source}: tensor "${prefix}${bad.name}" has shape [${bad.shape}], the model expects [${bad.expected}]${opts.hint ?? ''}`);
  const int = match.notFloat[0];
  if (int) throw new CheckpointError(`${opts.source}: tensor "${prefix}${int.name}" is ${int.dtype}, the model expects floats`);
  for (const slot of slots) target.set(match.found.get(slot.name)!, slot.offset);
}
