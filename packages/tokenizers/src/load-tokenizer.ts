/**
 * Picks the tokenizer for a run or an exported model. A model directory's own tokenizer wins,
 * so a model is always scored with the tokenizer it was trained with:
 *   1. `modelDir/tokenizer_config.json` naming a rewardkit plugin (`rewardkit.name`, written by
 *      gpt2-bpe's `save()`, whose tokenizer.json beside it is for Python) -> that plugin;
 *   2. `modelDir/tokenizer.json`                 -> "huggingface" on that directory;
 *   3. otherwise the fallback (by default gpt2-bpe).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Tokenizer } from '@rewardkit/core';
import { CheckpointError, createLogger, PluginRegistry } from '@rewardkit/core';
import { register } from './register';

const log = createLogger('tokenizer');

export interface TokenizerChoice {
  readonly name: string;
  readonly config?: unknown;
}

export interface LoadTokenizerOptions {
  /** A model directory whose own tokenizer files take precedence. */
  readonly modelDir?: string;
  /** Used when the model dir has no tokenizer; default gpt2-bpe. */
  readonly fallback?: TokenizerChoice;
}

/** Which plugin and config `loadTokenizer` would use, without building it. */
export function chooseTokenizer(options: LoadTokenizerOptions = {}): TokenizerChoice {
  const { modelDir, fallback = { name: 'gpt2-bpe', config: {} } } = options;
  if (!modelDir) return fallback;
  const configFile = path.join(modelDir, 'tokenizer_config.json');
  if (existsSync(configFile)) {
    let saved: { rewardkit?: { name?: unknown; config?: unknown } };
    try {
      saved = JSON.parse(readFileSync(configFile, 'utf8')) as typeof saved;
    } catch (err) {
      throw new CheckpointError(`${configFile}: not valid JSON: ${(err as Error).message}`);
    }
    const name = saved.rewardkit?.name;
    if (typeof name === 'string') return { name, config: saved.rewardkit?.config ?? {} };
  }
  if (existsSync(path.join(modelDir, 'tokenizer.json'))) return { name: 'huggingface', config: { path: modelDir } };
  return fallback;
}

/**
 * Builds the tokenizer `chooseTokenizer` picks, through `registry` (which must hold the plugin)
 * or, when none is given, a registry of this package's plugins.
 */
export function loadTokenizer(registry: PluginRegistry | undefined, options: LoadTokenizerOptions = {}): Tokenizer {
  const choice = chooseTokenizer(options);
  const reg = registry ?? ownRegistry();
  log.debug(`tokenizer ${choice.name}${options.modelDir ? ` (model dir ${options.modelDir})` : ''}`);
  return reg.create('tokenizer', choice.name, choice.config, { modelDir: options.modelDir });
}

function ownRegistry(): PluginRegistry {
  const registry = new PluginRegistry();
  register(registry);
  return registry;
}
