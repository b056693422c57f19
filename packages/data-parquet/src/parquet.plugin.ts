import type { DataPlugin } from '@rewardkit/core';
import { columnsSchema, resolveColumns } from '@rewardkit/data-records';
import { z } from 'zod';
import { loadParquet } from './load-parquet';

export const parquetConfigSchema = z
  .object({
    /** Default: the usual names (prompt/chosen/rejected/margin/category|source/id), as in HH-style data. */
    columns: columnsSchema.default({}),
  })
  .strict();

export type ParquetConfig = z.infer<typeof parquetConfigSchema>;

/** Parquet files, the format Hugging Face data sets are stored in; same record forms as jsonl. */
export const parquetData: DataPlugin<ParquetConfig> = {
  kind: 'data',
  name: 'parquet',
  description: 'Preference pairs from a Parquet file (Hugging Face data sets): the same record forms and column mapping as jsonl',
  configSchema: parquetConfigSchema,
  create(config) {
    const columns = resolveColumns(config.columns);
    return { load: (file, options) => loadParquet(file, options, columns) };
  },
};
