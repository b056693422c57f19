export { bradleyTerry, BradleyTerryConfigSchema, type BradleyTerryConfig } from './bradley-terry.plugin';
export { register } from './register';
