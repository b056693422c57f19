export { lengthBias, LengthBiasConfigSchema, evaluateLengthBias, type LengthBiasConfig } from './length-bias.plugin';
export { register } from './register';
