/**
 * Runs torch_peer_cpu.py (PyTorch on the CPU) on the very batches the bench timed, when a Python
 * with torch is at hand: `REWARDKIT_PYTHON`, else the repo's `.cache/pyenv` (made offline by
 * tools/scripts/setup-python-env.sh). Returns its rows, or why it did not run.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EncodedPair } from '@rewardkit/core';
import type { Gpt2Architecture } from '@rewardkit/model-transformer';

export interface TorchPeerRow {
  readonly threads: number;
  readonly ms_step: number;
  readonly ms_min: number;
  readonly pairs_s: number;
  readonly params: number;
  readonly torch: string;
}

export interface TorchPeerSpec {
  readonly arch: Gpt2Architecture;
  readonly lr: number;
  readonly weightDecay: number;
  /** Each timed step's pairs, in order (warm-up steps first). */
  readonly batches: readonly (readonly EncodedPair[])[];
  readonly warmup: number;
  readonly threads: readonly number[];
}

export const PYTHON_ENV = 'REWARDKIT_PYTHON';

export function findPython(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env[PYTHON_ENV]) return env[PYTHON_ENV];
  const venv = path.resolve(__dirname, '..', '..', '..', '.cache', 'pyenv', 'bin', 'python');
  return fs.existsSync(venv) ? venv : undefined;
}

export function runTorchPeer(spec: TorchPeerSpec): TorchPeerRow[] | string {
  const python = findPython();
  if (!python) return `no Python with torch (set ${PYTHON_ENV} or run tools/scripts/setup-python-env.sh)`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rewardkit-torch-peer-'));
  try {
    const file = path.join(dir, 'spec.json');
    const { arch } = spec;
    fs.writeFileSync(
      file,
      JSON.stringify({
        layers: arch.nLayer,
        heads: arch.nHead,
        d: arch.nEmbd,
        positions: arch.nPositions,
        vocab: arch.vocabSize,
        lr: spec.lr,
        weightDecay: spec.weightDecay,
        batches: spec.batches.map((b) => b.map((p) => [Array.from(p.chosen), Array.from(p.rejected)])),
      }),
    );
    const script = path.join(__dirname, 'torch_peer_cpu.py');
    const args = [script, '--spec', file, '--threads', spec.threads.join(','), '--warmup', String(spec.warmup), '--steps', String(spec.batches.length - spec.warmup)];
    const out = execFileSync(python, args, { encoding: 'utf8', timeout: 30 * 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as TorchPeerRow);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return `torch_peer_cpu.py failed: ${(e.stderr ?? '').trim().split('\n').pop() ?? e.message}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
