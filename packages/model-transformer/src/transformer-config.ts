import { z } from 'zod';
import { applyTransformerPreset, TRANSFORMER_PRESET_NAMES } from './presets';

/**
 * The transformer plugin's config. With `pretrained`, the sizes come from the checkpoint's
 * config.json and the size fields here are ignored (the model logs the sizes it loaded).
 */
export const TransformerConfigSchema = z.preprocess(
  applyTransformerPreset, // a named size (presets.ts) fills the size fields the config leaves out
  z
    .object({
      /** Named sizes up to GPT-2 small (presets.ts); explicit fields below override it. */
      preset: z.enum(TRANSFORMER_PRESET_NAMES).optional(),
      nLayer: z.number().int().min(1).default(2), // 2 blocks: ~0.3 s per 32 x 128-token step on wasm (2026-12-01); time grows about linearly with blocks
      nHead: z.number().int().min(1).default(2), // 32-dim heads; more, smaller heads mean more, smaller batched products
      nEmbd: z.number().int().min(1).default(64), // 2.3x faster than 128 (measured before the SIMD kernels) and plenty for 1-2k pairs; 96 did not beat seed noise
      nPositions: z.number().int().min(1).default(512), // = the run config's data.maxLength default; unused rows cost nothing per step
      dropout: z.number().min(0).lt(1).default(0), // off: few steps over small data; >0 applies GPT-2's embd/attn/resid dropout
      layerNormEps: z.number().positive().default(1e-5), // GPT-2's layer_norm_epsilon
      // Where the reward is read. 'last': the EOS hidden state, as Hugging Face's GPT2ForSequenceClassification
      // does (its exports score identically in Python). 'response': a reward per response token, summed
      // and divided by sqrt(tokens) (length-aware pooling; exports load here, but HF would read the EOS).
      pool: z.enum(['last', 'response']).default('last'),
      initStd: z.number().positive().default(0.02), // GPT-2's initializer_range; residual projections get /sqrt(2 nLayer)
      /** A local Hugging Face GPT-2 directory (config.json + model.safetensors) to start from. */
      pretrained: z.string().min(1).optional(),
    })
    .strict()
    .refine((c) => c.nEmbd % c.nHead === 0, { message: 'nEmbd must be a multiple of nHead', path: ['nHead'] }),
);

export type TransformerConfig = z.infer<typeof TransformerConfigSchema>;
