import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CheckpointError, createLogger } from '@rewardkit/core';
import { decodeSafetensors, encodeSafetensors, readIntoFlat, type SafeTensor } from '@rewardkit/safetensors';
import type { SamplerState } from './batch-sampler';
import type { ParameterLayout } from './parameter-layout';
import type { LossScaleState } from './loss-scale';
import type { ParameterSnapshot } from './parameter-store';
import type { Replica } from './replica';
import type { WeightAverage } from './weight-average';

/** Everything besides tensors that a resumed run needs to continue exactly. */
export interface CheckpointState {
  /** Updates applied so far; the run resumes at step + 1. */
  readonly step: number;
  readonly sampler: SamplerState;
  /** Free-form facts recorded with the checkpoint (backend, plugin names, metrics). */
  readonly meta: Record<string, unknown>;
}

const PREFIX = 'step-';
const log = createLogger('checkpoint');

export function checkpointDir(runDir: string, step: number): string {
  return path.join(runDir, 'checkpoints', `${PREFIX}${String(step).padStart(6, '0')}`);
}

function tensorsOf(views: Map<string, { shape: readonly number[]; data: Float32Array }>, prefix = ''): Map<string, SafeTensor> {
  return new Map([...views].map(([name, v]) => [prefix + name, { dtype: 'F32' as const, shape: v.shape, data: v.data }]));
}

/** The files of a checkpoint besides state.json, which records their digests. */
const TENSOR_FILES = ['model.safetensors', 'optimizer.safetensors'] as const;
type TensorFile = (typeof TENSOR_FILES)[number];
/** The parameters' moving average (train.ema), present only in runs that keep one; its digest sits in state.json's `average`. */
const AVERAGE_FILE = 'average.safetensors';

/** Size and SHA-256 of a file, as state.json records them. */
export interface FileDigest {
  readonly bytes: number;
  readonly sha256: string;
}

/** state.json. Version 2 adds `files`; version 1 checkpoints are read unverified. */
interface StateJson {
  readonly version: number;
  readonly step: number;
  readonly optimizerStep: number;
  readonly sampler: SamplerState;
  readonly meta: Record<string, unknown>;
  readonly files?: Readonly<Record<TensorFile, FileDigest>>;
  /** train.ema runs: the moving average's update count and its file (average.safetensors). */
  readonly average?: { readonly updates: number } & FileDigest;
  /** f16 runs: the dynamic loss scale and its streak, so a resumed run scales as it would have. */
  readonly lossScale?: LossScaleState;
}

const digest = (buf: Buffer): FileDigest => ({ bytes: buf.length, sha256: crypto.createHash('sha256').update(buf).digest('hex') });

/** Writes and flushes a file, so that the rename that publishes the checkpoint never outruns its data. */
function writeDurably(file: string, data: Buffer | string): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes weights, optimizer moments and state into a temporary directory, then renames it into
 * place: a crash mid-write never leaves a checkpoint that looks complete. state.json records the
 * size and SHA-256 of each tensor file, so that a file damaged later (a full disk, a copy cut short,
 * a shared file system gone wrong) is found when the checkpoint is read, not trained on.
 */
export function writeCheckpoint(runDir: string, replica: Replica, state: CheckpointState): string {
  // host store: theta and moments are host buffers already (a device store throws here: saveCheckpoint)
  return writeSnapshot(runDir, replica.layout, { theta: replica.theta, optimizer: replica.optimizer.state() }, state, replica.lossScale?.state());
}

/** `writeCheckpoint` for any parameter store: a device store's parameters and moments are read back first. */
export async function saveCheckpoint(runDir: string, replica: Replica, state: CheckpointState, average?: WeightAverage): Promise<string> {
  return writeSnapshot(runDir, replica.layout, await replica.snapshot(), state, replica.lossScale?.state(), average);
}

function writeSnapshot(runDir: string, layout: ParameterLayout, snapshot: ParameterSnapshot, state: CheckpointState, lossScale?: LossScaleState, average?: WeightAverage): string {
  const final = checkpointDir(runDir, state.step);
  const tmp = `${final}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const opt = snapshot.optimizer;
  const buffers: Record<TensorFile, Buffer> = {
    'model.safetensors': encodeSafetensors(tensorsOf(layout.views(snapshot.theta))),
    'optimizer.safetensors': encodeSafetensors(new Map([...tensorsOf(layout.views(opt.m), 'm.'), ...tensorsOf(layout.views(opt.v), 'v.')])),
  };
  for (const name of TENSOR_FILES) writeDurably(path.join(tmp, name), buffers[name]);
  // the moving average (train.ema) in its own file, so checkpoints without one read as before
  const averaged = average && encodeSafetensors(tensorsOf(layout.views(average.average)));
  if (averaged) writeDurably(path.join(tmp, AVERAGE_FILE), averaged);
  const json: StateJson = {
    version: 2,
    step: state.step,
    optimizerStep: opt.t,
    sampler: state.sampler,
    meta: state.meta,
    files: { 'model.safetensors': digest(buffers['model.safetensors']), 'optimizer.safetensors': digest(buffers['optimizer.safetensors']) },
    ...(lossScale ? { lossScale } : {}),
    ...(average && averaged ? { average: { updates: average.updates, ...digest(averaged) } } : {}),
  };
  writeDurably(path.join(tmp, 'state.json'), JSON.stringify(json, null, 2) + '\n');
  fs.rmSync(final, { recursive: true, force: true }); // a replayed step may rewrite its checkpoint
  fs.renameSync(tmp, final);
  return final;
}

/** state.json, checked for the fields a resume needs; a half-written file is a CheckpointError, not a SyntaxError. */
function readStateJson(dir: string): StateJson {
  const file = path.join(dir, 'state.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CheckpointError(missing ? `${dir} is not a checkpoint (no state.json)` : `cannot read ${file}: ${(err as Error).message}`);
  }
  let json: Partial<StateJson>;
  try {
    json = JSON.parse(text) as Partial<StateJson>;
  } catch (err) {
    throw new CheckpointError(`${file} is damaged (${text.length} bytes, not valid JSON: ${(err as Error).message})`);
  }
  const bad = (field: string) => new CheckpointError(`${file} is damaged: field "${field}" is missing or invalid`);
  if (typeof json !== 'object' || json === null) throw new CheckpointError(`${file} is damaged: not a JSON object`);
  if (!Number.isInteger(json.step) || json.step! < 0) throw bad('step');
  if (!Number.isInteger(json.optimizerStep)) throw bad('optimizerStep');
  if (typeof json.sampler !== 'object' || json.sampler === null) throw bad('sampler');
  if (json.average !== undefined && !(Number.isInteger(json.average.updates) && Number.isInteger(json.average.bytes) && typeof json.average.sha256 === 'string')) throw bad('average');
  if ((json.version ?? 1) >= 2) {
    for (const name of TENSOR_FILES) {
      const d = json.files?.[name];
      if (!d || !Number.isInteger(d.bytes) || typeof d.sha256 !== 'string') throw bad(`files.${name}`);
    }
  }
  return { ...json, meta: json.meta ?? {} } as StateJson;
}

/** A tensor file's bytes, checked against the size and digest state.json recorded. */
function readTensorFile(dir: string, name: string, state: StateJson): Buffer {
  const file = path.join(dir, name);
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    throw new CheckpointError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const want = name === AVERAGE_FILE ? state.average : state.files?.[name as TensorFile];
  if (want) {
    if (buf.length !== want.bytes) {
      throw new CheckpointError(`${file} is damaged: ${buf.length} bytes, the checkpoint recorded ${want.bytes}${buf.length < want.bytes ? ' (truncated)' : ''}`);
    }
    const got = digest(buf).sha256;
    if (got !== want.sha256) throw new CheckpointError(`${file} is damaged: SHA-256 ${got.slice(0, 12)}..., the checkpoint recorded ${want.sha256.slice(0, 12)}...`);
  }
  return buf;
}

/**
 * Checks a checkpoint without loading it: state.json parses and each tensor file has the size and
 * SHA-256 recorded. Throws a CheckpointError naming the damaged file; returns the state.
 */
export function verifyCheckpoint(dir: string): CheckpointState {
  const json = readStateJson(dir);
  for (const name of [...TENSOR_FILES, ...(json.average ? [AVERAGE_FILE] : [])]) readTensorFile(dir, name, json);
  return { step: json.step, sampler: json.sampler, meta: json.meta };
}

/** The state of a checkpoint without its tensors (a coordinator rewinding its sampler); verified. */
export function readCheckpointState(dir: string): CheckpointState {
  return verifyCheckpoint(dir);
}

/**
 * Loads a checkpoint into `replica` (weights and optimizer) and `average` (train.ema), verifying
 * every file first, and returns its state.
 */
export function readCheckpoint(dir: string, replica: Replica, average?: WeightAverage): CheckpointState {
  const json = readStateJson(dir);
  const [weights, moments] = TENSOR_FILES.map((name) => decodeSafetensors(readTensorFile(dir, name, json), path.join(dir, name)).tensors);
  const { layout } = replica;
  const theta = new Float32Array(layout.size);
  const m = new Float32Array(layout.size);
  const v = new Float32Array(layout.size);
  const hint = ' (was the model config changed?)';
  readIntoFlat(weights, layout.slots, theta, { source: path.join(dir, 'model.safetensors'), hint });
  readIntoFlat(moments, layout.slots, m, { source: path.join(dir, 'optimizer.safetensors'), prefix: 'm.', hint });
  readIntoFlat(moments, layout.slots, v, { source: path.join(dir, 'optimizer.safetensors'), prefix: 'v.', hint });
  if (average) {
    if (!json.average) throw new CheckpointError(`${dir} holds no weight average (${AVERAGE_FILE}): it was written by a run without train.ema`);
    const averaged = new Float32Array(layout.size);
    const tensors = decodeSafetensors(readTensorFile(dir, AVERAGE_FILE, json), path.join(dir, AVERAGE_FILE)).tensors;
    readIntoFlat(tensors, layout.slots, averaged, { source: path.join(dir, AVERAGE_FILE), hint });
    average.restore({ updates: json.average.updates, average: averaged });
  }
  replica.restore({ theta, optimizer: { t: json.optimizerStep, m, v } }); // host or device store alike
  if (json.lossScale && replica.lossScale) replica.lossScale.restore(json.lossScale); // an f32 checkpoint resumed in f16 starts afresh
  return { step: json.step, sampler: json.sampler, meta: json.meta };
}

/** Completed checkpoints of a run, oldest first. */
export function listCheckpoints(runDir: string): string[] {
  const root = path.join(runDir, 'checkpoints');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .filter((d) => /^step-\d+$/.test(d))
    .sort()
    .map((d) => path.join(root, d));
}

/**
 * The newest intact checkpoint of a run (what --resume and recovery after a lost worker restore).
 * A damaged one is skipped with a warning naming the file and what is wrong, and the one before it
 * taken; undefined when none is intact.
 */
export function latestCheckpoint(runDir: string): string | undefined {
  const all = listCheckpoints(runDir);
  for (let i = all.length - 1; i >= 0; i--) {
    try {
      verifyCheckpoint(all[i]);
      return all[i];
    } catch (err) {
      if (!(err instanceof CheckpointError)) throw err;
      log.warn(`${err.message}; ${i > 0 ? `falling back to ${path.basename(all[i - 1])}` : 'no earlier checkpoint is left'}`);
    }
  }
  return undefined;
}

/**
 * Deletes all but the newest `keep` checkpoints and those in `protect` (early stopping's best,
 * which may be older than the newest `keep`), and stale temporary directories.
 */
export function pruneCheckpoints(runDir: string, keep: number, protect: readonly string[] = []): void {
  const all = listCheckpoints(runDir);
  const kept = new Set(protect.map((d) => path.resolve(d)));
  for (const dir of all.slice(0, Math.max(0, all.length - keep))) if (!kept.has(path.resolve(dir))) fs.rmSync(dir, { recursive: true, force: true });
  const root = path.join(runDir, 'checkpoints');
  if (fs.existsSync(root)) {
    for (const d of fs.readdirSync(root)) if (d.includes('.tmp-')) fs.rmSync(path.join(root, d), { recursive: true, force: true });
  }
}
