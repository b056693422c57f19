/**
 * Named transformer sizes, from a CPU smoke test up to GPT-2 small, so a GPU run picks a size by
 * name (`--set model.config.preset=gpt2-small`, `nx run trainer:bench --preset=mid`). Fields given
 * explicitly in the model config override the preset's.
 *
 * The sizes are those of the PyTorch reference measured on an H200 (gpu/torch_gpu_rm.py's CFGS,
 * and tools/gpu/torch_peer.py here), so pairs/s figures compare preset for preset. `reference` is
 * that script's synthetic setting: its vocabulary (the real one is the tokenizer's: 50,257 for
 * GPT-2 BPE) and pairs per step.
 */
export const TRANSFORMER_PRESET_NAMES = ['tiny', 'small', 'mid', 'gpt2-small'] as const;
export type TransformerPresetName = (typeof TRANSFORMER_PRESET_NAMES)[number];

export interface TransformerPreset {
  readonly nLayer: number;
  readonly nHead: number;
  readonly nEmbd: number;
  /** Longest sequence: also the bench's tokens per sequence. */
  readonly nPositions: number;
  readonly reference: { readonly vocabSize: number; readonly pairs: number };
}

export const TRANSFORMER_PRESETS: Readonly<Record<TransformerPresetName, TransformerPreset>> = {
  // ~0.1M with a 512-token vocabulary: kernel checks and bundle tests on CPU in seconds
  tiny: { nLayer: 1, nHead: 2, nEmbd: 64, nPositions: 32, reference: { vocabSize: 512, pairs: 4 } },
  // ~3.7M at vocabulary 8,192 (14.5M with GPT-2's 50,257)
  small: { nLayer: 2, nHead: 4, nEmbd: 256, nPositions: 128, reference: { vocabSize: 8192, pairs: 16 } },
  // ~45M: 6 x 512, 256 tokens
  mid: { nLayer: 6, nHead: 8, nEmbd: 512, nPositions: 256, reference: { vocabSize: 50257, pairs: 16 } },
  // GPT-2 small, ~124M, at 512 tokens (GPT-2 itself reads 1,024)
  'gpt2-small': { nLayer: 12, nHead: 12, nEmbd: 768, nPositions: 512, reference: { vocabSize: 50257, pairs: 8 } },
};

/**
 * Parameters of a fresh transformer of these sizes, in our layout (GPT-2 blocks, a [1, d] score
 * head without bias, ln_f frozen but counted): V d + T d + L (12 d^2 + 13 d) + 3 d.
 */
export function transformerParamCount(p: { nLayer: number; nEmbd: number; nPositions: number }, vocabSize: number): number {
  const d = p.nEmbd;
  return vocabSize * d + p.nPositions * d + p.nLayer * (12 * d * d + 13 * d) + 3 * d;
}

/**
 * Raw (unparsed) model config with the preset's sizes filled in where the config gives none.
 * Runs before the schema's defaults, so an explicit field always wins over the preset.
 */
export function applyTransformerPreset(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || !('preset' in raw)) return raw;
  const name = (raw as { preset: unknown }).preset;
  if (typeof name !== 'string' || !(name in TRANSFORMER_PRESETS)) return raw; // the schema's enum reports it
  const { reference: _reference, ...sizes } = TRANSFORMER_PRESETS[name as TransformerPresetName];
  return { ...sizes, ...raw };
}
