export { accuracy, AccuracyConfigSchema, type AccuracyConfig } from './accuracy.plugin';
export { register } from './register';
