export * from './gpt2-bpe.plugin';
export * from './huggingface.plugin';
export * from './load-tokenizer';
export * from './render-pair';
export * from './encode-pair';
export * from './register';
