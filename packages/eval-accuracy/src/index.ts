export * from './accuracy.plugin';
export * from './register';
