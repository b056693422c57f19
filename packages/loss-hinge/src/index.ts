export { hinge, HingeConfigSchema, type HingeConfig } from './hinge.plugin';
export { register } from './register';
