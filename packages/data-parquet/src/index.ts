export * from './parquet.plugin';
export * from './register';
