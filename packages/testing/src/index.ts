// The contract suites every plugin kind runs, and the helpers plugin and app specs share.
export { describePluginContract } from './plugin-contract';
export { describeDataContract } from './data-contract';
export { describeTokenizerContract } from './tokenizer-contract';
export { describeModelContract, type ModelContractOptions } from './model-contract';
export { describeLossContract, randomUnitShard, sliceUnits, type UnitShard } from './loss-contract';
export { describeEvalContract } from './eval-contract';
export { expectNoTensorLeak } from './tensor-leaks';
export { useBackend } from './use-backend';
export { lcg, randomPairs, randomBatch } from './random-batch';
export { runApp, type AppRun } from './run-app';
