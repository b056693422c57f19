/**
 * The README.md of an exported model directory: what the model is, what it was trained on, its
 * held-out figures, and a Python snippet that scores (prompt, response) pairs exactly as rewardkit
 * does: the same ids (prompt ++ response ++ EOS, with encodePair's truncation) and the reward read
 * at the EOS. The snippet is what the Python cross-check runs (python-cross-check.spec.ts), so it
 * cannot drift from the code.
 */
import type { ExportedPad } from './huggingface-export';

export interface ModelCardInput {
  readonly modelName: string;
  readonly tokenizerName: string;
  readonly hfConfig?: Record<string, unknown>;
  readonly pad?: ExportedPad;
  readonly info: Record<string, unknown>;
}

/** Python: encode_pair / rewards. Kept in step with packages/tokenizers/src/encode-pair.ts. */
export function pythonScoringSnippet(maxLength: number): string {
  return `import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

path = "."  # this directory
tok = AutoTokenizer.from_pretrained(path)
model = AutoModelForSequenceClassification.from_pretrained(path).eval()
MAX_LENGTH = ${maxLength}  # tokens per sequence, EOS included (as trained)


def encode_pair(prompt, chosen, rejected, max_length=MAX_LENGTH):
    """rewardkit's encodePair: prompt ++ response ++ EOS. When too long, the EOS stays, the prompt
    loses its beginning (the same prompt tokens for both), and each response keeps at least
    min(64, half the room) tokens, cut on the right."""
    ids = lambda text: tok(text, add_special_tokens=False).input_ids
    p, c, r = ids(prompt), ids(chosen), ids(rejected)
    budget = max_length - 1
    min_response = min(min(64, max(1, budget // 2)), budget)
    reserve = max(min(len(c), min_response), min(len(r), min_response))
    keep = max(0, min(len(p), budget - reserve))
    p = p[len(p) - keep:]
    eos = [tok.eos_token_id]
    return p + c[: budget - keep] + eos, p + r[: budget - keep] + eos


def rewards(sequences):
    """One reward per id list: padded on the right, read at the last non-pad token (the EOS)."""
    batch = tok.pad({"input_ids": sequences}, return_tensors="pt")
    with torch.no_grad():
        return model(**batch).logits[:, 0].tolist()


chosen, rejected = encode_pair("\\n\\nHuman: Hi!\\n\\nAssistant:", " Hello! How can I help?", " Go away.")
print(rewards([chosen, rejected]))  # the first should be higher`;
}

function figures(info: Record<string, unknown>): string[] {
  const ev = info.eval as Record<string, unknown> | undefined;
  if (!ev || typeof ev !== 'object') return ['- Held-out figures: none recorded (no held-out set).'];
  return Object.entries(ev)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
    .map(([k, v]) => `- ${k}: ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : v}`);
}

export function modelCard(input: ModelCardInput): string {
  const { info, hfConfig, pad } = input;
  const maxLength = typeof info.maxLength === 'number' ? info.maxLength : Number(hfConfig?.n_positions ?? 512);
  const lines = [
    '---',
    'library_name: transformers',
    'tags: [reward-model, rewardkit]',
    '---',
    '# Reward model (rewardkit)',
    '',
    `A Bradley-Terry reward model trained with rewardkit: model plugin \`${input.modelName}\`, tokenizer \`${input.tokenizerName}\`.`,
    'It gives one scalar per (prompt, response); higher means preferred.',
    '',
    '## Training',
    `- Data: ${info.trainedOn ?? 'not recorded'}`,
    `- Steps: ${info.steps ?? 'not recorded'}; loss: ${info.loss ?? 'not recorded'}; backend: ${info.backend ?? 'not recorded'}, workers: ${info.workers ?? 'not recorded'}`,
    ...(typeof info.selected === 'string' ? [`- Exported: ${info.selected}`] : []), // early stopping's choice
    `- Sequence length: ${maxLength} tokens (prompt ++ response ++ EOS)`,
    '',
    '## Held-out evaluation',
    ...figures(info),
    '',
  ];
  if (!hfConfig) {
    lines.push('This model has no Hugging Face counterpart: load it with rewardkit (`loadModelDir`, the evaluator).', '');
    return lines.join('\n');
  }
  lines.push(
    '## Scoring in Python',
    '',
    `Hugging Face's \`${(hfConfig.architectures as string[] | undefined)?.[0] ?? 'AutoModelForSequenceClassification'}\` reads the reward at the last token that is not`,
    `\`pad_token_id\` (${hfConfig.pad_token_id}); every sequence ends in the EOS (${hfConfig.eos_token_id}), which the tokenizer's`,
    'post-processor appends, so `tok(prompt + response)` gives rewardkit\'s ids when neither response of the pair needs truncation.',
    'With truncation, use `encode_pair`: it truncates as rewardkit does (scores agree to float rounding).',
    '',
    '```python',
    pythonScoringSnippet(maxLength),
    '```',
    '',
    '## What this directory carries',
    '- `model.safetensors` (float32) and `config.json`: the weights and sizes; `config.json` also has a `rewardkit` section to reload it in rewardkit.',
    '- `tokenizer.json` (+ `vocab.json`/`merges.txt` for GPT-2 BPE) and `tokenizer_config.json`: EOS appended, right padding, left truncation, `model_max_length`.',
    ...(pad?.addedToken
      ? [`- A pad token \`<|pad|>\` (id ${pad.padId}) that the training tokenizer does not have: its pad was its EOS.${pad.addedRows ? ` The embedding has ${pad.addedRows} extra (zero) row for it, never read for a score.` : ''}`]
      : []),
    '- Not carried: the optimizer state (see the run\'s checkpoints), the training data, and the response-keeping part of the',
    '  truncation policy, which no tokenizer setting expresses (hence `encode_pair`).',
    '',
  );
  return lines.join('\n');
}
