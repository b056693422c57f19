/**
 * One sweep trial: `trainer launch` in its own process (the same entry point a user runs, so a
 * trial is exactly a run), with the sweep's base options, its own run directory and its `--set`
 * overrides; its log goes to a file beside the run directory. The metric is read from the run's
 * metrics.jsonl (its last held-out evaluation), not parsed from the log.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const MAIN = path.resolve(__dirname, '..', 'main.ts');
/** The workspace's path aliases, whatever directory the sweep runs from (relative data paths stay the user's). */
const TSCONFIG = path.resolve(__dirname, '..', '..', '..', '..', 'tsconfig.json');

export interface TrialSpec {
  readonly id: string;
  readonly runDir: string;
  readonly logFile: string;
  /** `launch` arguments shared by every trial (the sweep's own options removed). */
  readonly baseArgs: readonly string[];
  /** `key=value` overrides, one `--set` each. */
  readonly sets: readonly string[];
  readonly metric: string;
}

export interface TrialResult {
  readonly id: string;
  readonly sets: readonly string[];
  readonly runDir: string;
  readonly status: 'ok' | 'failed';
  /** The metric at the run's last evaluation (absent when the run failed or never evaluated). */
  readonly value?: number;
  /** The step of that evaluation. */
  readonly step?: number;
  readonly seconds: number;
  readonly error?: string;
}

export function launchArgs(spec: TrialSpec): string[] {
  return ['--import', 'tsx', MAIN, 'launch', ...spec.baseArgs, '--out', spec.runDir, '--overwrite', ...spec.sets.flatMap((s) => ['--set', s])];
}

export async function runTrial(spec: TrialSpec, signal?: AbortSignal): Promise<TrialResult> {
  const t0 = performance.now();
  const log = fs.openSync(spec.logFile, 'w');
  const code = await new Promise<number | string>((resolve) => {
    const child = spawn(process.execPath, launchArgs(spec), { stdio: ['ignore', log, log], env: { TSX_TSCONFIG_PATH: TSCONFIG, ...process.env }, signal });
    child.on('error', (err) => resolve(err.message));
    child.on('exit', (c, sig) => resolve(c ?? String(sig)));
  });
  fs.closeSync(log);
  const seconds = (performance.now() - t0) / 1000;
  const base = { id: spec.id, sets: spec.sets, runDir: spec.runDir, seconds };
  if (code !== 0) return { ...base, status: 'failed', error: `launch exited with ${code}; see ${spec.logFile}` };
  const last = lastEval(spec.runDir);
  const value = last?.[spec.metric];
  if (typeof value !== 'number') {
    const why = last ? `its last evaluation has no numeric "${spec.metric}" (it has ${Object.keys(last).join(', ')})` : 'no held-out evaluation in metrics.jsonl';
    return { ...base, status: 'failed', error: why };
  }
  return { ...base, status: 'ok', value, step: typeof last?.step === 'number' ? last.step : undefined };
}

function lastEval(runDir: string): Record<string, unknown> | undefined {
  const file = path.join(runDir, 'metrics.jsonl');
  if (!fs.existsSync(file)) return undefined;
  let last: Record<string, unknown> | undefined;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line) as Record<string, unknown>;
    if (rec.kind === 'eval') last = rec;
  }
  return last;
}
