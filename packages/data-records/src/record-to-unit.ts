/**
 * One parsed record -> one unit: a ranking when it has `responses` or `ranking`, else a pair.
 * The one entry point loaders call, so every format accepts every shape.
 */
import type { PreferenceUnit } from '@rewardkit/core';
import { DataError } from '@rewardkit/core';
import { resolveColumns, type ColumnMapping, type ResolvedColumns } from './columns';
import { isPlainObject, isResolved, recordToPair, type RecordLocation } from './record-to-pair';
import { recordToRanking } from './record-to-ranking';

export function recordToUnit(record: unknown, location: RecordLocation, columns: ColumnMapping | ResolvedColumns = {}): PreferenceUnit {
  const cols = isResolved(columns) ? columns : resolveColumns(columns);
  const isRankingRecord = isPlainObject(record) && [cols.responses, cols.ranking].some((f) => record[f] !== undefined && record[f] !== null);
  if (!isRankingRecord) return recordToPair(record, location, cols);
  const fail = (field: string | undefined, problem: string): never => {
    throw new DataError({ file: location.file, line: location.line, field }, problem);
  };
  return recordToRanking(record, location, cols, fail);
}
