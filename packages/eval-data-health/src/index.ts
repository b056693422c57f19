export { dataHealth, DataHealthConfigSchema, evaluateDataHealth, type DataHealthConfig, type HealthReport } from './data-health.plugin';
export { register } from './register';
