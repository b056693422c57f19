export { plackettLuce, PlackettLuceConfigSchema, type PlackettLuceConfig } from './plackett-luce.plugin';
export { register } from './register';
