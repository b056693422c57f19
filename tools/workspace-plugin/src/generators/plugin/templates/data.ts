import type { Names } from '../names';

/**
 * A data loader to start from: tab-separated values with a header row. Records go through
 * @rewardkit/data-records, so the new format accepts the same record forms, column mapping and
 * --skip-invalid policy as jsonl and parquet, and fails with the same file:line messages.
 */
export function dataSource(n: Names): string {
  return `import type { DataPlugin } from '@rewardkit/core';
import { columnsSchema, PairCollector, readInputFile, resolveColumns } from '@rewardkit/data-records';
import { z } from 'zod';

export const ${n.type}ConfigSchema = z
  .object({
    delimiter: z.string().length(1).default('\\t'), // one character between cells; cells cannot contain it
    /** Default: the usual names (prompt/chosen/rejected/margin/category|source/id). */
    columns: columnsSchema.default({}),
  })
  .strict();
export type ${n.type}Config = z.infer<typeof ${n.type}ConfigSchema>;

/**
 * ${n.name}: starts as a delimited-text loader, one pair per line under a header row naming the
 * columns. Replace the parsing; keep handing each record to the collector with its line number.
 */
export const ${n.value}: DataPlugin<${n.type}Config> = {
  kind: 'data',
  name: '${n.name}',
  description: '${n.name}: preference pairs from delimited text with a header row',
  configSchema: ${n.type}ConfigSchema,
  create(cfg) {
    const columns = resolveColumns(cfg.columns);
    return {
      async load(file, options) {
        const lines = new TextDecoder().decode(await readInputFile(file)).split(/\\r?\\n/);
        const header = lines[0].split(cfg.delimiter);
        const collector = new PairCollector(file, options, columns);
        for (let i = 1; i < lines.length; i++) {
          if (lines[i].trim() === '') continue;
          const cells = lines[i].split(cfg.delimiter);
          const record = Object.fromEntries(header.map((h, j) => [h, h === columns.margin ? Number(cells[j]) : cells[j]]));
          collector.add(record, i + 1);
        }
        return collector.finish();
      },
    };
  },
};
`;
}

/** The sample file the contract suite loads. */
export function dataSample(): string {
  return [
    'prompt\tchosen\trejected',
    'How do I boil an egg?\tPut it in boiling water for nine minutes.\tEggs are oval.',
    'Name a primary colour.\tRed is a primary colour.\tI would rather not say.',
    'What is 2 + 2?\t2 + 2 is 4.\tIt is 5.',
    '',
  ].join('\n');
}
