import type { LoadOptions, LoadResult, PreferencePair } from '@rewardkit/core';
import { DataError } from '@rewardkit/core';
import type { ResolvedColumns } from './columns';
import { recordToPair } from './record-to-pair';

/**
 * Gathers the pairs of one file and applies the `skipInvalid` policy in one place: a bad record
 * either stops the load (its `DataError` is thrown) or is kept in `skipped`. Shared by every
 * loader so that they count and fail alike.
 */
export class PairCollector {
  private readonly pairs: PreferencePair[] = [];
  private readonly skipped: DataError[] = [];

  constructor(
    private readonly file: string,
    private readonly options: LoadOptions,
    private readonly columns: ResolvedColumns,
  ) {}

  /** Converts one record; `line` is its 1-based line (JSONL) or record/row number. */
  add(record: unknown, line: number): void {
    try {
      this.pairs.push(recordToPair(record, { file: this.file, line }, this.columns));
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      this.reject(err);
    }
  }

  /** A record that could not even be parsed (bad UTF-8, malformed JSON). */
  reject(err: DataError): void {
    if (!this.options.skipInvalid) throw err;
    this.skipped.push(err);
  }

  /** The result; a file that yields no pair at all is an error even when skipping. */
  finish(): LoadResult {
    if (this.pairs.length === 0) {
      const why = this.skipped.length
        ? `all ${this.skipped.length} record(s) are invalid; first: ${this.skipped[0].message}`
        : 'the file holds no records';
      throw new DataError({ file: this.file }, `no valid preference pairs: ${why}`);
    }
    return { file: this.file, pairs: this.pairs, skipped: this.skipped };
  }
}
