import fs from 'node:fs';
import path from 'node:path';
import { CheckpointError } from '@rewardkit/core';
import { readSafetensorsFile, writeSafetensorsFile, type SafeTensor } from '@rewardkit/safetensors';
import type { SamplerState } from './batch-sampler';
import type { Replica } from './replica';

/** Everything besides tensors that a resumed run needs to continue exactly. */
export interface CheckpointState {
  /** Updates applied so far; the run resumes at step + 1. */
  readonly step: number;
  readonly sampler: SamplerState;
  /** Free-form facts recorded with the checkpoint (backend, plugin names, metrics). */
  readonly meta: Record<string, unknown>;
}

const PREFIX = 'step-';

export function checkpointDir(runDir: string, step: number): string {
  return path.join(runDir, 'checkpoints', `${PREFIX}${String(step).padStart(6, '0')}`);
}

function tensorsOf(views: Map<string, { shape: readonly number[]; data: Float32Array }>, prefix = ''): Map<string, SafeTensor> {
  return new Map([...views].map(([name, v]) => [prefix + name, { dtype: 'F32' as const, shape: v.shape, data: v.data }]));
}

/**
 * Writes weights, optimizer moments and state into a temporary directory, then renames it into
 * place: a crash mid-write never leaves a checkpoint that looks complete.
 */
export function writeCheckpoint(runDir: string, replica: Replica, state: CheckpointState): string {
  const final = checkpointDir(runDir, state.step);
  const tmp = `${final}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const { layout, optimizer } = replica;
  writeSafetensorsFile(path.join(tmp, 'model.safetensors'), tensorsOf(layout.views(replica.theta)));
  const opt = optimizer.state();
  writeSafetensorsFile(
    path.join(tmp, 'optimizer.safetensors'),
    new Map([...tensorsOf(layout.views(opt.m), 'm.'), ...tensorsOf(layout.views(opt.v), 'v.')]),
  );
  const json = { version: 1, step: state.step, optimizerStep: opt.t, sampler: state.sampler, meta: state.meta };
  fs.writeFileSync(path.join(tmp, 'state.json'), JSON.stringify(json, null, 2) + '\n');
  fs.rmSync(final, { recursive: true, force: true }); // a replayed step may rewrite its checkpoint
  fs.renameSync(tmp, final);
  return final;
}

function readStateJson(dir: string): CheckpointState & { optimizerStep: number } {
  const stateFile = path.join(dir, 'state.json');
  if (!fs.existsSync(stateFile)) throw new CheckpointError(`${dir} is not a checkpoint (no state.json)`);
  return JSON.parse(fs.readFileSync(stateFile, 'utf8')) as CheckpointState & { optimizerStep: number };
}

/** The state of a checkpoint without its tensors (a coordinator rewinding its sampler). */
export function readCheckpointState(dir: string): CheckpointState {
  const json = readStateJson(dir);
  return { step: json.step, sampler: json.sampler, meta: json.meta };
}

/** Loads a checkpoint into `replica` (weights and optimizer) and returns its state. */
export function readCheckpoint(dir: string, replica: Replica): CheckpointState {
  const json = readStateJson(dir);
  const weights = readSafetensorsFile(path.join(dir, 'model.safetensors')).tensors;
  const moments = readSafetensorsFile(path.join(dir, 'optimizer.safetensors')).tensors;
  const { layout } = replica;
  const theta = new Float32Array(layout.size);
  const m = new Float32Array(layout.size);
  const v = new Float32Array(layout.size);
  for (const slot of layout.slots) {
    for (const [target, name, file] of [
      [theta, slot.name, 'model.safetensors'],
      [m, `m.${slot.name}`, 'optimizer.safetensors'],
      [v, `v.${slot.name}`, 'optimizer.safetensors'],
    ] as const) {
      const t = (file === 'model.safetensors' ? weights : moments).get(name);
      if (!t) throw new CheckpointError(`${path.join(dir, file)}: missing tensor "${name}"`);
      if (t.data.length !== slot.size || t.shape.join('x') !== slot.shape.join('x')) {
        throw new CheckpointError(
          `${path.join(dir, file)}: tensor "${name}" has shape [${t.shape}], the model expects [${slot.shape}] (was the model config changed?)`,
        );
      }
      target.set(t.data, slot.offset);
    }
  }
  replica.load(theta);
  replica.optimizer.restore({ t: json.optimizerStep, m, v });
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

export function latestCheckpoint(runDir: string): string | undefined {
  return listCheckpoints(runDir).at(-1);
}

/** Deletes all but the newest `keep` checkpoints, and stale temporary directories. */
export function pruneCheckpoints(runDir: string, keep: number): void {
  const all = listCheckpoints(runDir);
  for (const dir of all.slice(0, Math.max(0, all.length - keep))) fs.rmSync(dir, { recursive: true, force: true });
  const root = path.join(runDir, 'checkpoints');
  if (fs.existsSync(root)) {
    for (const d of fs.readdirSync(root)) if (d.includes('.tmp-')) fs.rmSync(path.join(root, d), { recursive: true, force: true });
  }
}
