// Public API: the two tokenizer plugins, choosing one for a run, and pair encoding (what dataset
// preparation and the wire codec use). Internals (BPE construction, chat-template rendering
// helpers) stay private.
export { gpt2Bpe, gpt2BpeConfigSchema, GPT2_VOCAB_SIZE, GPT2_EOS_ID, type Gpt2BpeConfig } from './gpt2-bpe.plugin';
export { huggingfaceTokenizer, huggingfaceConfigSchema, type HuggingfaceConfig } from './huggingface.plugin';
export { loadTokenizer, type LoadTokenizerOptions } from './load-tokenizer';
export { renderPair, type RenderedPair } from './render-pair';
export { encodePair, encodePairs, type EncodeOptions, type EncodePairResult, type EncodeStats } from './encode-pair';
export { register } from './register';
