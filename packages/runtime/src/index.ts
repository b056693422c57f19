export * from './shipped-registry';
export * from './prepare-dataset';
export * from './build-replica';
export * from './run-evaluators';
export * from './run-cli';
