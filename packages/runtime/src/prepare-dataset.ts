import path from 'node:path';
import { createLogger, pairTokens, type EncodedPair, type EncodedUnit, type PluginRegistry, type PreferencePair, type Tokenizer } from '@rewardkit/core';
import { encodeUnits } from './encode-units';

const log = createLogger('data');

export interface DatasetOptions {
  /** Loader plugin; 'auto' picks by file extension (.parquet -> parquet, else jsonl). */
  readonly loader: { readonly name: string; readonly config: unknown };
  readonly skipInvalid: boolean;
  readonly maxLength: number;
}

export interface PreparedDataset {
  readonly file: string;
  /** Every pair (rankings expanded), for evaluation; `encoded[i]` is `pairs[i]` tokenized. */
  readonly pairs: PreferencePair[];
  readonly encoded: EncodedPair[];
  /** One per record (a pair or a ranking), for training: the unit of batching and sharding. */
  readonly units: EncodedUnit[];
  readonly skipped: number;
  readonly truncated: number;
  /** Per pair: truncation cut it. */
  readonly truncatedPairs: readonly boolean[];
  readonly madeIdentical: number;
  readonly tokens: number;
}

export function loaderFor(file: string, name: string): string {
  if (name !== 'auto') return name;
  return path.extname(file).toLowerCase() === '.parquet' ? 'parquet' : 'jsonl';
}

/** Loads, validates and tokenizes one file, logging what was skipped or truncated. */
export async function prepareDataset(
  file: string,
  registry: PluginRegistry,
  tokenizer: Tokenizer,
  opts: DatasetOptions,
): Promise<PreparedDataset> {
  const loader = registry.create('data', loaderFor(file, opts.loader.name), opts.loader.config, undefined);
  const { pairs, units: records, skipped } = await loader.load(file, { skipInvalid: opts.skipInvalid });
  if (skipped.length) {
    log.warn(`${file}: skipped ${skipped.length} invalid record(s) (--skip-invalid); first: ${skipped[0].message}`);
  }
  const t0 = Date.now();
  const stats = encodeUnits(records ?? pairs, tokenizer, { maxLength: opts.maxLength });
  const { units, pairs: encoded, truncatedPairs } = stats;
  const tokens = pairTokens(units);
  const rankings = units.length - units.filter((u) => 'chosen' in u).length;
  const shapes = rankings ? ` in ${units.length} records (${rankings} rankings)` : '';
  log.info(
    `${path.basename(file)}: ${pairs.length} pairs${shapes}, ${tokens} tokens (${Date.now() - t0} ms to tokenize); ` +
      `truncated to ${opts.maxLength} tokens: ${stats.truncated}, made identical by truncation: ${stats.madeIdentical}`,
  );
  return {
    file,
    pairs,
    encoded,
    units,
    skipped: skipped.length,
    truncated: stats.truncated,
    truncatedPairs,
    madeIdentical: stats.madeIdentical,
    tokens,
  };
}
