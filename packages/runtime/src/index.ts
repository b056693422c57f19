// What every app shares, scoring and training alike: the registry of shipped plugins, the
// tokenizer and dataset preparation, evaluators and the CLI wrapper. Training-only code (building
// a replica) is in @rewardkit/training.
export { createShippedRegistry } from './shipped-registry';
export { buildTokenizer } from './build-tokenizer';
export { encodeResponse, type EncodedResponse } from './encode-response';
export { prepareDataset, loaderFor, type DatasetOptions, type PreparedDataset } from './prepare-dataset';
export { runEvaluators, checkEvaluators, pairScoresOf, numericPart, type EvaluatorRef, type ScoredSet } from './run-evaluators';
export { runCli } from './run-cli';
