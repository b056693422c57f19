import type { DataError } from '../errors';
import type { PreferencePair, PreferenceUnit } from '../preference-pair';
import type { PluginBase } from './plugin';

export interface LoadOptions {
  /** Skip (and count) invalid records instead of failing on the first one. */
  readonly skipInvalid: boolean;
}

export interface LoadResult {
  readonly file: string;
  /** Every pair, for evaluation and labeling: pair records as they are, rankings expanded (`unitPairs`). */
  readonly pairs: PreferencePair[];
  /** The records (pairs and rankings), for training; absent from a loader that reads pairs only. */
  readonly units?: PreferenceUnit[];
  /** Records skipped under `skipInvalid`, each with its file, line and field. */
  readonly skipped: DataError[];
}

/** Reads preference pairs from a file. Throws `DataError` on bad input unless told to skip. */
export interface DataLoader {
  load(file: string, options: LoadOptions): Promise<LoadResult>;
}

export type DataPlugin<C = unknown> = PluginBase<'data', C, void, DataLoader>;
