import type { LoadOptions, LoadResult, PreferenceUnit } from '@rewardkit/core';
import { DataError, unitPairs } from '@rewardkit/core';
import type { ResolvedColumns } from './columns';
import { recordToUnit } from './record-to-unit';

/**
 * Gathers the units (pairs and rankings) of one file and applies the `skipInvalid` policy in one place: a bad record
 * either stops the load (its `DataError` is thrown) or is kept in `skipped`. Shared by every
 * loader so that they count and fail alike.
 */
export class PairCollector {
  private readonly units: PreferenceUnit[] = [];
  private readonly skipped: DataError[] = [];

  constructor(
    private readonly file: string,
    private readonly options: LoadOptions,
    private readonly columns: ResolvedColumns,
  ) {}

  /** Converts one record; `line` is its 1-based line (JSONL) or record/row number. */
  add(record: unknown, line: number): void {
    try {
      this.units.push(recordToUnit(record, { file: this.file, line }, this.columns));
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

  /** The result; a file that yields no record at all is an error even when skipping. */
  finish(): LoadResult {
    if (this.units.length === 0) {
      const why = this.skipped.length
        ? `all ${this.skipped.length} record(s) are invalid; first: ${this.skipped[0].message}`
        : 'the file holds no records';
      throw new DataError({ file: this.file }, `no valid preference pairs: ${why}`);
    }
    return { file: this.file, pairs: unitPairs(this.units), units: this.units, skipped: this.skipped };
  }
}
