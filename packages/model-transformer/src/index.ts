export * from './transformer.plugin';
export * from './transformer-config';
export * from './transformer-model';
export * from './gpt2-architecture';
export * from './huggingface-config';
export * from './huggingface-checkpoint';
export * from './register';
export * from './presets';
