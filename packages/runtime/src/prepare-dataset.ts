import path from 'node:path';
import { createLogger, pairTokens, type EncodedPair, type PluginRegistry, type PreferencePair, type Tokenizer } from '@rewardkit/core';
import { encodePairs } from '@rewardkit/tokenizers';

const log = createLogger('data');

export interface DatasetOptions {
  /** Loader plugin; 'auto' picks by file extension (.parquet -> parquet, else jsonl). */
  readonly loader: { readonly name: string; readonly config: unknown };
  readonly skipInvalid: boolean;
  readonly maxLength: number;
}

export interface PreparedDataset {
  readonly file: string;
  readonly pairs: PreferencePair[];
  readonly encoded: EncodedPair[];
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
  const { pairs, skipped } = await loader.load(file, { skipInvalid: opts.skipInvalid });
  if (skipped.length) {
    log.warn(`${file}: skipped ${skipped.length} invalid record(s) (--skip-invalid); first: ${skipped[0].message}`);
  }
  const t0 = Date.now();
  const { encoded, stats, truncatedPairs } = encodePairs(pairs, tokenizer, { maxLength: opts.maxLength });
  const tokens = pairTokens(encoded);
  log.info(
    `${path.basename(file)}: ${pairs.length} pairs, ${tokens} tokens (${Date.now() - t0} ms to tokenize); ` +
      `truncated to ${opts.maxLength} tokens: ${stats.truncated}, made identical by truncation: ${stats.madeIdentical}`,
  );
  return {
    file,
    pairs,
    encoded,
    skipped: skipped.length,
    truncated: stats.truncated,
    truncatedPairs,
    madeIdentical: stats.madeIdentical,
    tokens,
  };
}
