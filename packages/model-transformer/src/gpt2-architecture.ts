/**
 * The sizes of a GPT-2 network and its parameter list in Hugging Face's GPT2ForSequenceClassification
 * layout: names, shapes and order match its `state_dict()`, so exported weights load in Python.
 * Linear layers are GPT-2's Conv1D, stored [in, out] and applied as `x @ W + b`.
 */

/** The MLP nonlinearity: GPT-2's tanh approximation ("gelu_new") or the exact erf form ("gelu"). */
export type Gpt2Activation = 'gelu_new' | 'gelu';

export interface Gpt2Architecture {
  /** Rows of the token embedding (>= the tokenizer's vocabulary). */
  readonly vocabSize: number;
  /** Rows of the position embedding: the longest sequence the model reads. */
  readonly nPositions: number;
  readonly nEmbd: number;
  readonly nLayer: number;
  readonly nHead: number;
  /** MLP width (Hugging Face's `n_inner`, 4 * nEmbd when null). */
  readonly nInner: number;
  readonly layerNormEps: number;
  readonly activation: Gpt2Activation;
}

/** How a parameter starts when no checkpoint supplies it. */
export type ParameterInit = { readonly kind: 'normal'; readonly std: number } | { readonly kind: 'zeros' } | { readonly kind: 'ones' };

export interface ParameterSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: ParameterInit;
  /** Ranges the optimizer must not move (NamedParameter.frozen). */
  readonly frozen?: ReadonlyArray<readonly [number, number]>;
}

export const SCORE_WEIGHT = 'score.weight';

/** Every parameter, in Hugging Face's state-dict order, with GPT-2's initialisation. */
export function parameterSpecs(arch: Gpt2Architecture, initStd: number, pool: 'last' | 'response' = 'last'): ParameterSpec[] {
  const { vocabSize, nPositions, nEmbd: d, nInner, nLayer } = arch;
  const normal = (std: number): ParameterInit => ({ kind: 'normal', std });
  const zeros: ParameterInit = { kind: 'zeros' };
  const ones: ParameterInit = { kind: 'ones' };
  // GPT-2 scales the projections that write into the residual stream, so its variance does not
  // grow with depth (Hugging Face's _init_weights does the same).
  const residual = normal(initStd / Math.sqrt(2 * nLayer));
  const specs: ParameterSpec[] = [
    { name: 'transformer.wte.weight', shape: [vocabSize, d], init: normal(initStd) },
    { name: 'transformer.wpe.weight', shape: [nPositions, d], init: normal(initStd) },
  ];
  for (let i = 0; i < nLayer; i++) {
    const p = `transformer.h.${i}.`;
    specs.push(
      { name: `${p}ln_1.weight`, shape: [d], init: ones },
      { name: `${p}ln_1.bias`, shape: [d], init: zeros },
      { name: `${p}attn.c_attn.weight`, shape: [d, 3 * d], init: normal(initStd) },
      // The key third of this bias adds the same number to every logit of a query's softmax, which
      // cannot change its output: an exactly-zero gradient. Frozen, as in NamedParameter.frozen.
      { name: `${p}attn.c_attn.bias`, shape: [3 * d], init: zeros, frozen: [[d, 2 * d]] },
      { name: `${p}attn.c_proj.weight`, shape: [d, d], init: residual },
      { name: `${p}attn.c_proj.bias`, shape: [d], init: zeros },
      { name: `${p}ln_2.weight`, shape: [d], init: ones },
      { name: `${p}ln_2.bias`, shape: [d], init: zeros },
      { name: `${p}mlp.c_fc.weight`, shape: [d, nInner], init: normal(initStd) },
      { name: `${p}mlp.c_fc.bias`, shape: [nInner], init: zeros },
      { name: `${p}mlp.c_proj.weight`, shape: [nInner, d], init: residual },
      { name: `${p}mlp.c_proj.bias`, shape: [d], init: zeros },
    );
  }
  specs.push(
    { name: 'transformer.ln_f.weight', shape: [d], init: ones },
    // Read at the EOS, score . ln_f.bias is one constant added to every reward: Bradley-Terry, which
    // sees only reward differences, gives it an exactly-zero gradient. Frozen (kept at its loaded
    // value). Pooled over the response it scales with sqrt(length), so it trains.
    { name: 'transformer.ln_f.bias', shape: [d], init: zeros, frozen: pool === 'last' ? [[0, d]] : undefined },
    // GPT2ForSequenceClassification's head: nn.Linear(d, 1, bias=False), stored [out, in].
    { name: SCORE_WEIGHT, shape: [1, d], init: normal(initStd) },
  );
  return specs;
}

/** Weights that multiply activations per token (everything but embeddings, norms and biases). */
export function matmulWeightsPerToken(arch: Gpt2Architecture): number {
  const { nEmbd: d, nInner, nLayer } = arch;
  return nLayer * (d * 3 * d + d * d + 2 * d * nInner);
}
