/**
 * Hugging Face's GPT-2 `config.json`, both ways: read the sizes of a GPT-2-family checkpoint
 * (gpt2, distilgpt2, GPT2ForSequenceClassification exports), and describe one of our models as a
 * one-label GPT2ForSequenceClassification so `from_pretrained` reads the exported weights.
 */
import { CheckpointError } from '@rewardkit/core';
import type { Gpt2Activation, Gpt2Architecture } from './gpt2-architecture';

/** Architectures whose weights are GPT2Model's plus a head we either read (score) or ignore. */
const GPT2_ARCHITECTURES = ['GPT2Model', 'GPT2LMHeadModel', 'GPT2ForSequenceClassification', 'GPT2DoubleHeadsModel'];

/** Hugging Face activation names we implement, by the formula they use. */
const ACTIVATIONS: Record<string, Gpt2Activation> = {
  gelu_new: 'gelu_new',
  gelu_pytorch_tanh: 'gelu_new',
  gelu_fast: 'gelu_new', // the same tanh formula, factored differently
  gelu: 'gelu',
};

type Json = Record<string, unknown>;

/** Reads the sizes from a parsed config.json; `file` names it in errors. */
export function parseGpt2Config(raw: unknown, file: string): Gpt2Architecture {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CheckpointError(`${file}: expected a JSON object`);
  const cfg = raw as Json;
  if (cfg.model_type !== 'gpt2') {
    throw new CheckpointError(
      `${file}: model_type ${JSON.stringify(cfg.model_type)} is not supported; expected "gpt2" (the GPT-2 family: gpt2, distilgpt2, GPT2ForSequenceClassification exports)`,
    );
  }
  const archs = cfg.architectures;
  if (archs !== undefined && archs !== null) {
    const bad = Array.isArray(archs) ? archs.filter((a) => !GPT2_ARCHITECTURES.includes(a as string)) : [archs];
    if (bad.length) {
      throw new CheckpointError(`${file}: architectures ${JSON.stringify(bad)} not supported; expected one of ${GPT2_ARCHITECTURES.join(', ')}`);
    }
  }
  const int = (key: string): number => {
    const v = cfg[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new CheckpointError(`${file}: field "${key}" must be a positive integer, found ${JSON.stringify(v)}`);
    }
    return v;
  };
  const unsupported = (key: string, expected: boolean) => {
    if (cfg[key] !== undefined && cfg[key] !== expected) {
      throw new CheckpointError(`${file}: "${key}": ${JSON.stringify(cfg[key])} is not supported; expected ${expected}`);
    }
  };
  unsupported('scale_attn_weights', true);
  unsupported('scale_attn_by_inverse_layer_idx', false);
  unsupported('add_cross_attention', false);
  const nEmbd = int('n_embd');
  const nHead = int('n_head');
  if (nEmbd % nHead !== 0) throw new CheckpointError(`${file}: n_embd ${nEmbd} is not a multiple of n_head ${nHead}`);
  const nInner = cfg.n_inner === undefined || cfg.n_inner === null ? 4 * nEmbd : int('n_inner');
  const eps = cfg.layer_norm_epsilon ?? 1e-5;
  if (typeof eps !== 'number' || !(eps > 0)) {
    throw new CheckpointError(`${file}: field "layer_norm_epsilon" must be a positive number, found ${JSON.stringify(eps)}`);
  }
  const actName = cfg.activation_function ?? 'gelu_new';
  const activation = ACTIVATIONS[actName as string];
  if (!activation) {
    throw new CheckpointError(
      `${file}: activation_function ${JSON.stringify(actName)} is not supported; expected one of ${Object.keys(ACTIVATIONS).join(', ')}`,
    );
  }
  return {
    vocabSize: int('vocab_size'),
    nPositions: int('n_positions'),
    nEmbd,
    nLayer: int('n_layer'),
    nHead,
    nInner,
    layerNormEps: eps,
    activation,
  };
}

export interface HuggingFaceConfigOptions {
  readonly padId: number;
  readonly eosId: number;
  readonly dropout: number;
  readonly initStd: number;
}

/** config.json fields of a one-label GPT2ForSequenceClassification with these sizes. */
export function gpt2HuggingFaceConfig(arch: Gpt2Architecture, opts: HuggingFaceConfigOptions): Json {
  return {
    architectures: ['GPT2ForSequenceClassification'],
    model_type: 'gpt2',
    vocab_size: arch.vocabSize,
    n_positions: arch.nPositions,
    n_ctx: arch.nPositions, // read by older transformers releases
    n_embd: arch.nEmbd,
    n_layer: arch.nLayer,
    n_head: arch.nHead,
    n_inner: arch.nInner === 4 * arch.nEmbd ? null : arch.nInner,
    activation_function: arch.activation,
    layer_norm_epsilon: arch.layerNormEps,
    initializer_range: opts.initStd,
    resid_pdrop: opts.dropout,
    embd_pdrop: opts.dropout,
    attn_pdrop: opts.dropout,
    scale_attn_weights: true,
    num_labels: 1,
    id2label: { '0': 'LABEL_0' },
    label2id: { LABEL_0: 0 },
    // The classifier reads the last token that is not pad_token_id: our EOS when the two differ.
    pad_token_id: opts.padId,
    bos_token_id: opts.eosId,
    eos_token_id: opts.eosId,
    torch_dtype: 'float32',
  };
}
