import type { DataPlugin } from '@rewardkit/core';
import { z } from 'zod';
import { columnsSchema, resolveColumns } from '@rewardkit/data-records';
import { loadJsonRecords } from './load-json-records';

export const jsonlConfigSchema = z
  .object({
    /** Default: the usual names (prompt/chosen/rejected/margin/category|source/id), as in HH-style data. */
    columns: columnsSchema.default({}),
  })
  .strict();

export type JsonlConfig = z.infer<typeof jsonlConfigSchema>;

/** JSON Lines and JSON arrays (`.jsonl`, `.json`, also gzipped), sniffed from the content. */
export const jsonlData: DataPlugin<JsonlConfig> = {
  kind: 'data',
  name: 'jsonl',
  description:
    'Preference pairs from JSON Lines or a JSON array: prompt/chosen/rejected, raw HH-RLHF transcripts, or chat messages',
  configSchema: jsonlConfigSchema,
  create(config) {
    const columns = resolveColumns(config.columns);
    return { load: (file, options) => loadJsonRecords(file, options, columns) };
  },
};
