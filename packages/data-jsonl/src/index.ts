export * from './jsonl.plugin';
export * from './register';
export * from './columns';
export * from './record-to-pair';
export * from './pair-collector';
export * from './read-input';
