// Shared by the data plugins (jsonl, parquet, and third-party loaders), so that every format
// accepts the same record forms and fails with the same messages.
export { columnsSchema, resolveColumns, columnNames, type ColumnMapping, type ResolvedColumns } from './columns';
export { recordToPair, splitTranscript, HH_ASSISTANT_MARKER, type RecordLocation } from './record-to-pair';
export { recordToUnit } from './record-to-unit';
export { PairCollector } from './pair-collector';
export { readInputFile, looksLikeParquet } from './read-input';
