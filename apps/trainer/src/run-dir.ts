import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, createLogger, type RunConfig } from '@rewardkit/core';

const log = createLogger('trainer');

/** What a run writes into its directory; `--overwrite` removes these and nothing else. */
const RUN_ENTRIES = ['config.json', 'metrics.jsonl', 'checkpoints', 'final', 'report.json', 'report.html'];

/**
 * Fields a resumed run may change: more (or fewer) steps or epochs continue the same run; `out`
 * names this very directory (written relative or absolute).
 */
const RESUMABLE_CHANGES = new Set(['train.steps', 'train.epochs', 'out']);

export interface RunDirOptions {
  /** Continue the run in the directory: its config must match. */
  readonly resume?: boolean;
  /** Remove the run in the directory first. */
  readonly overwrite?: boolean;
}

/**
 * Claims `runDir` for this run, after everything else has been validated: a new run refuses a
 * directory that holds another run (its config.json, final/ and metrics.jsonl would be overwritten
 * or mixed, and a later --resume would restore the old run's checkpoint under the new settings)
 * unless told to overwrite it; a resumed run refuses a config that differs from the run's own.
 * Writes config.json.
 */
export function prepareRunDir(runDir: string, cfg: RunConfig, opts: RunDirOptions): void {
  if (opts.resume && opts.overwrite) throw new ConfigError('--resume and --overwrite contradict each other: continue the run in --out, or replace it');
  const existing = RUN_ENTRIES.filter((e) => fs.existsSync(path.join(runDir, e)));
  if (existing.length > 0 && opts.overwrite) {
    log.warn(`replacing the run in ${runDir} (removing ${existing.join(', ')})`);
    for (const e of existing) fs.rmSync(path.join(runDir, e), { recursive: true, force: true });
  } else if (existing.length > 0 && !opts.resume) {
    throw new ConfigError(
      `${runDir} already holds a run (${existing.join(', ')}): continue it with --resume, replace it with --overwrite, or choose another --out`,
    );
  } else if (opts.resume && existing.includes('config.json')) {
    const file = path.join(runDir, 'config.json');
    const previous = readPreviousConfig(file);
    const differs = configDifferences(previous, JSON.parse(JSON.stringify(cfg)) as unknown).filter((f) => !RESUMABLE_CHANGES.has(f));
    if (differs.length > 0) {
      throw new ConfigError(
        `--resume: the config differs from the run's own (${file}) in ${differs.join(', ')}; ` +
          `only train.steps or train.epochs may change when resuming (or start over with --overwrite)`,
      );
    }
  }
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(path.join(runDir, 'config.json'), JSON.stringify(cfg, null, 2) + '\n');
}

/** The fields of a recorded config that a resumed run reads before comparing the rest (unvalidated). */
interface RecordedConfig {
  readonly train?: { readonly steps?: unknown; readonly epochs?: unknown };
  readonly gpus?: unknown;
}

/** The config a run recorded in its directory when it started; undefined when there is none. */
export function recordedConfig(runDir: string): RecordedConfig | undefined {
  const file = path.join(runDir, 'config.json');
  return fs.existsSync(file) ? (readPreviousConfig(file) as RecordedConfig) : undefined;
}

/** Dotted paths of the leaves where `a` and `b` differ (arrays compare whole). */
export function configDifferences(a: unknown, b: unknown, prefix = ''): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => configDifferences(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(the whole config)'];
}

function readPreviousConfig(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    throw new ConfigError(`--resume: cannot read the run's config ${file}: ${(err as Error).message} (start over with --overwrite)`);
  }
}
