export { parquetData, parquetConfigSchema, type ParquetConfig } from './parquet.plugin';
export { register } from './register';
