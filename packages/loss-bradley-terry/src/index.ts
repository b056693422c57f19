export * from './bradley-terry.plugin';
export * from './register';
