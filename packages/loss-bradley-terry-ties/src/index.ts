export { bradleyTerryTies, BradleyTerryTiesConfigSchema, type BradleyTerryTiesConfig } from './bradley-terry-ties.plugin';
export { register } from './register';
