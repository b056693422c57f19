// The public API of @rewardkit/core: plugin contracts, the registry, run config, errors, logger.

// plugin contracts, one per kind (contracts/)
export { PLUGIN_KINDS, type PluginKind, type PluginBase, type AnyPlugin, type PluginsByKind } from './contracts';
export type { LoadOptions, LoadResult, DataLoader, DataPlugin } from './contracts';
export type { Tokenizer, TokenizerContext, TokenizerPlugin } from './contracts';
export type { GatheredRows, NamedParameter, ScoreOptions, RewardModel, ModelContext, ModelPlugin } from './contracts';
export type { LossInput, LossOutput, LossFn, LossPlugin } from './contracts';
export type { PairScores, EvalReport, Evaluator, EvalPlugin } from './contracts';

// the data every plugin exchanges
export type { ChatMessage, TextOrChat, PreferencePair, PreferenceRanking, PreferenceUnit } from './preference-pair';
export { isRanking, rankingPairs, unitPairs } from './preference-pair';
export { packSequences, packPairs, pairMargins, pairLength, pairTokens, isEncodedRanking, unitSequences } from './sequence-batch';
export type { SequenceBatch, EncodedPair, EncodedRanking, EncodedUnit } from './sequence-batch';
export { packUnits, pairIndex, unitCount, type UnitBatch, type PairIndex } from './unit-batch';
export { lossInput, type UnitStructure } from './loss-input';

// registering and finding plugins
export { PluginRegistry, parsePluginConfig } from './registry';
export { loadPluginPackages } from './load-plugin-packages';

// run configuration
export { parseSetOverride } from './set-override';
export { parseRunConfig, readRunConfigFile, mergeConfig, RunConfigSchema, SHIPPED_EVALUATORS, type RunConfig, type RunConfigInput } from './run-config';
export { BACKEND_NAMES, BACKEND_PREFERENCES, type BackendName, type BackendPreference } from './backend-name';

// errors and logging
export {
  RewardkitError,
  DataError,
  ConfigError,
  PluginError,
  CheckpointError,
  CollectiveError,
  formatLocation,
  type SourceLocation,
} from './errors';
export { formatZodError } from './format-zod-error';
export { printable } from './printable';

// one seeded generator for everything that must repeat: sampling, shuffles, bootstrap intervals
export { Rng, type RngState } from './rng';
export { createLogger, setLogLevel, setLogSink, logRaw, type LogLevel, type LogSink, type Logger } from './logger';
