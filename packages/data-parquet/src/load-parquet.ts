/**
 * Reads a Parquet file's rows as objects (hyparquet, pure JS) and turns each into a pair with the
 * JSON loader's `recordToPair`, so both accept the same forms. Errors name the row number
 * (1-based) as the "line". Only the columns a record can be read from are decoded, which keeps
 * wide Hugging Face tables cheap. List-of-struct columns arrive as arrays of `{role, content}`.
 */
import type { LoadOptions, LoadResult } from '@rewardkit/core';
import { DataError } from '@rewardkit/core';
import { columnNames, PairCollector, readInputFile, type ResolvedColumns } from '@rewardkit/data-records';
import { type FileMetaData, parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';

export async function loadParquet(file: string, options: LoadOptions, columns: ResolvedColumns): Promise<LoadResult> {
  const bytes = await readInputFile(file);
  // hyparquet reads from an ArrayBuffer; copy out exactly this file's bytes.
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(buffer);
  } catch (err) {
    throw new DataError({ file }, `not a readable Parquet file: ${(err as Error).message}`);
  }
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  // pairs need chosen + rejected, rankings responses + ranking (a file may hold both kinds)
  const ranked = names.includes(columns.responses) && names.includes(columns.ranking);
  for (const field of ranked ? [] : [columns.chosen, columns.rejected]) {
    // A wrong column mapping is the file's problem, not each row's: fail even when skipping.
    if (!names.includes(field)) {
      const has = names.map((n) => `"${n}"`).join(', ');
      throw new DataError({ file, field }, `no such column; the file has ${has} (map yours with config.columns)`);
    }
  }
  let rows: Record<string, unknown>[];
  try {
    const wanted = columnNames(columns).filter((c) => names.includes(c));
    rows = await parquetReadObjects({ file: buffer, metadata, columns: wanted });
  } catch (err) {
    throw new DataError({ file }, `cannot decode the Parquet data: ${(err as Error).message}`);
  }
  const collector = new PairCollector(file, options, columns);
  rows.forEach((row, i) => collector.add(row, i + 1));
  return collector.finish();
}
