#!/usr/bin/env python3
"""Golden fixture for packages/model-transformer: a tiny random GPT-2 reward model and its scores.

    python3 tools/golden/make_gpt2_golden.py            # writes packages/model-transformer/fixtures/tiny-gpt2/

Writes, in Hugging Face's GPT2ForSequenceClassification layout:
  config.json        the Hugging Face config (vocab 50, 2 layers, 2 heads, 16 dims, 32 positions)
  model.safetensors  float32 weights (a hand-written safetensors writer: the `safetensors` package
                     is not installed here)
  golden.json        token sequences, their lengths, and the scores of an independent float64 numpy
                     GPT-2 (each sequence run alone, unpadded; score read at its last token, the EOS)

Weights are drawn larger than GPT-2's init (std 0.3, not 0.02) so that every layer visibly changes
the scores: with tiny weights a broken attention or MLP would hide under a 1e-4 tolerance.
Only numpy is needed. Deterministic: reruns give the same bytes.
"""
import json
import math
import os
import struct

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'model-transformer', 'fixtures', 'tiny-gpt2')
VOCAB, N_POS, N_EMBD, N_LAYER, N_HEAD = 50, 32, 16, 2, 2
EPS = 1e-5
PAD_ID, EOS_ID = 0, VOCAB - 1  # distinct, so Hugging Face's "last non-pad token" is the EOS


def make_weights(rng):
    """Hugging Face GPT2ForSequenceClassification state dict, in its order, as float32."""
    d = N_EMBD
    w = {}

    def normal(shape, std):
        return (rng.standard_normal(shape) * std).astype(np.float32)

    w['transformer.wte.weight'] = normal((VOCAB, d), 0.5)
    w['transformer.wpe.weight'] = normal((N_POS, d), 0.3)
    for i in range(N_LAYER):
        p = f'transformer.h.{i}.'
        w[p + 'ln_1.weight'] = (1 + normal((d,), 0.2)).astype(np.float32)
        w[p + 'ln_1.bias'] = normal((d,), 0.1)
        w[p + 'attn.c_attn.weight'] = normal((d, 3 * d), 0.3)  # Conv1D: x @ W
        w[p + 'attn.c_attn.bias'] = normal((3 * d,), 0.1)
        w[p + 'attn.c_proj.weight'] = normal((d, d), 0.3)
        w[p + 'attn.c_proj.bias'] = normal((d,), 0.1)
        w[p + 'ln_2.weight'] = (1 + normal((d,), 0.2)).astype(np.float32)
        w[p + 'ln_2.bias'] = normal((d,), 0.1)
        w[p + 'mlp.c_fc.weight'] = normal((d, 4 * d), 0.3)
        w[p + 'mlp.c_fc.bias'] = normal((4 * d,), 0.1)
        w[p + 'mlp.c_proj.weight'] = normal((4 * d, d), 0.2)
        w[p + 'mlp.c_proj.bias'] = normal((d,), 0.1)
    w['transformer.ln_f.weight'] = (1 + normal((d,), 0.2)).astype(np.float32)
    w['transformer.ln_f.bias'] = normal((d,), 0.1)
    w['score.weight'] = normal((1, d), 0.5)  # nn.Linear(d, 1, bias=False): [out, in]
    return w


def write_safetensors(path, tensors):
    """safetensors: u64 LE header length, JSON header (8-byte aligned with spaces), raw LE data."""
    header = {'__metadata__': {'format': 'pt'}}
    offset = 0
    blobs = []
    for name, t in tensors.items():
        data = np.ascontiguousarray(t, dtype='<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(',', ':'))
    text += ' ' * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text.encode('utf-8'))
        for b in blobs:
            f.write(b)


def layer_norm(x, g, b):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + EPS) * g + b


def gelu_new(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def gpt2_score(w, ids):
    """Reference forward of one unpadded sequence in float64: the score at its last token."""
    w = {k: v.astype(np.float64) for k, v in w.items()}
    t = len(ids)
    hd = N_EMBD // N_HEAD
    x = w['transformer.wte.weight'][ids] + w['transformer.wpe.weight'][:t]  # [T, C]
    future = np.triu(np.ones((t, t), dtype=bool), k=1)  # key j > query i
    for i in range(N_LAYER):
        p = f'transformer.h.{i}.'
        a = layer_norm(x, w[p + 'ln_1.weight'], w[p + 'ln_1.bias'])
        qkv = a @ w[p + 'attn.c_attn.weight'] + w[p + 'attn.c_attn.bias']  # [T, 3C]
        q, k, v = np.split(qkv, 3, axis=1)
        heads = []
        for h in range(N_HEAD):
            s = slice(h * hd, (h + 1) * hd)
            att = q[:, s] @ k[:, s].T / math.sqrt(hd)  # [T, T]
            att[future] = -np.inf
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            heads.append(att @ v[:, s])  # [T, hd]
        x = x + np.concatenate(heads, axis=1) @ w[p + 'attn.c_proj.weight'] + w[p + 'attn.c_proj.bias']
        m = layer_norm(x, w[p + 'ln_2.weight'], w[p + 'ln_2.bias'])
        m = gelu_new(m @ w[p + 'mlp.c_fc.weight'] + w[p + 'mlp.c_fc.bias'])
        x = x + m @ w[p + 'mlp.c_proj.weight'] + w[p + 'mlp.c_proj.bias']
    x = layer_norm(x, w['transformer.ln_f.weight'], w['transformer.ln_f.bias'])
    return float(x[-1] @ w['score.weight'][0])


def main():
    rng = np.random.default_rng(20240617)
    w = make_weights(rng)
    # Lengths 1..N_POS: a lone EOS, short and long rows, and one at the full context.
    sequences = []
    for n in (1, 2, 5, 9, 17, N_POS):
        body = rng.integers(1, EOS_ID, size=n - 1).tolist()  # real tokens avoid PAD_ID and EOS_ID
        sequences.append(body + [EOS_ID])
    # The same tokens in reverse order (EOS kept last): order must matter.
    sequences.append(sequences[4][-2::-1] + [EOS_ID])
    scores = [gpt2_score(w, s) for s in sequences]

    os.makedirs(OUT, exist_ok=True)
    config = {
        'activation_function': 'gelu_new',
        'architectures': ['GPT2ForSequenceClassification'],
        'attn_pdrop': 0.0,
        'bos_token_id': EOS_ID,
        'embd_pdrop': 0.0,
        'eos_token_id': EOS_ID,
        'id2label': {'0': 'LABEL_0'},
        'initializer_range': 0.02,
        'label2id': {'LABEL_0': 0},
        'layer_norm_epsilon': EPS,
        'model_type': 'gpt2',
        'n_ctx': N_POS,
        'n_embd': N_EMBD,
        'n_head': N_HEAD,
        'n_inner': None,
        'n_layer': N_LAYER,
        'n_positions': N_POS,
        'num_labels': 1,
        'pad_token_id': PAD_ID,
        'resid_pdrop': 0.0,
        'scale_attn_weights': True,
        'vocab_size': VOCAB,
    }
    with open(os.path.join(OUT, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
        f.write('\n')
    write_safetensors(os.path.join(OUT, 'model.safetensors'), w)
    golden = {
        'description': 'tools/golden/make_gpt2_golden.py: float64 numpy GPT-2, each sequence alone, score at its last token',
        'padId': PAD_ID,
        'eosId': EOS_ID,
        'sequences': sequences,
        'lengths': [len(s) for s in sequences],
        'scores': scores,
    }
    with open(os.path.join(OUT, 'golden.json'), 'w') as f:
        json.dump(golden, f, indent=1)
        f.write('\n')
    print(f'wrote {os.path.normpath(OUT)}: scores {[round(s, 4) for s in scores]}')


if __name__ == '__main__':
    main()
