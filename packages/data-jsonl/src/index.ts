export { jsonlData, jsonlConfigSchema, type JsonlConfig } from './jsonl.plugin';
export { register } from './register';
