"""PyTorch peer of rewardkit's transformer presets: the same model and training step as
`node bin/bench.cjs --preset NAME --data synthetic`, so pairs/s compare on one GPU.

Same model: GPT-2 blocks (pre-LN, fused qkv, tanh GELU, 4x MLP), learned positions, final LayerNorm,
a [1, d] score head without bias read at each sequence's last token (the EOS). Same data: the bench's
seeded LCG draws the same token ids (lengths uniform in [T/2, T], ids in [1, V-2], EOS V-1, pad 0),
batches padded to their longest row. Same step: Bradley-Terry loss summed over pairs and divided by the
pair count, gradient clipped to norm 1, AdamW (lr 3e-3 peak, betas 0.9/0.999, eps 1e-8, weight decay
0.01). Modes: fp32 (TF32 off), tf32, bf16 (autocast). Prints one JSON line per mode.

  python3 torch_peer.py --preset small --mode fp32,tf32,bf16 [--pairs 16] [--warmup 3] [--steps 10] [--device cuda]
(several modes run in one process, one JSON line each: Python and CUDA start once)
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# presets.ts: (layers, heads, width, positions, reference vocabulary, pairs per step)
PRESETS = {
    'tiny': (1, 2, 64, 32, 512, 4),
    'small': (2, 4, 256, 128, 8192, 16),
    'mid': (6, 8, 512, 256, 50257, 16),
    'gpt2-small': (12, 12, 768, 512, 50257, 8),
}


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln_1, self.c_attn, self.c_proj = nn.LayerNorm(d), nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.ln_2, self.c_fc, self.mlp_proj = nn.LayerNorm(d), nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x, bias):
        n, t, d = x.shape
        dh = d // self.h
        q, k, v = self.c_attn(self.ln_1(x)).view(n, t, 3, self.h, dh).permute(2, 0, 3, 1, 4)
        att = torch.softmax((q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(dh)) + bias, dim=-1)  # [n, h, t, t]
        x = x + self.c_proj((att @ v).transpose(1, 2).reshape(n, t, d))
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate='tanh'))


class RewardModel(nn.Module):
    def __init__(self, vocab, positions, d, layers, heads):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(vocab, d), nn.Embedding(positions, d)
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.ln_f, self.score = nn.LayerNorm(d), nn.Linear(d, 1, bias=False)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.normal_(p, std=0.02)

    def forward(self, ids, lengths):
        n, t = ids.shape
        pos = torch.arange(t, device=ids.device)
        # causal and key padding: query i sees keys 0..min(i, len - 1), as batch-inputs.ts builds it
        see = (pos[None, :] <= pos[:, None])[None] & (pos[None, None, :] < lengths[:, None, None])
        see = see | (pos[None, None, :] == 0)
        bias = torch.where(see, 0.0, -1e9)[:, None]  # [n, 1, t, t]
        x = self.wte(ids) + self.wpe(pos)
        for b in self.blocks:
            x = b(x, bias)
        x = self.ln_f(x)
        return self.score(x[torch.arange(n, device=ids.device), lengths - 1]).squeeze(-1)  # [n]


def synthetic_pairs(count, vocab, tokens, seed=12345):
    """train-bench's synthetic-pairs.ts, bit for bit: (chosen, rejected) id lists."""
    s = seed

    def rnd():
        nonlocal s
        s = (s * 1103515245 + 12345) % 4294967296
        return s / 4294967296

    def seq():
        half = tokens // 2
        n = half + math.floor(rnd() * (tokens - half + 1))
        ids = [1 + math.floor(rnd() * (vocab - 2)) for _ in range(n - 1)]
        return ids + [vocab - 1]

    return [(seq(), seq()) for _ in range(count)]


def pack(pairs, device):
    """Rows [0, n) chosen, [n, 2n) rejected, padded with 0 to the longest row."""
    seqs = [c for c, _ in pairs] + [r for _, r in pairs]
    width = max(len(x) for x in seqs)
    ids = torch.zeros(len(seqs), width, dtype=torch.long)
    for i, x in enumerate(seqs):
        ids[i, : len(x)] = torch.tensor(x)
    lengths = torch.tensor([len(x) for x in seqs])
    return ids.to(device), lengths.to(device)


def run(a, mode):
    """Times one mode: a fresh model (same seed), warm-up steps, then timed steps; returns the JSON row."""
    layers, heads, d, positions, vocab, ref_pairs = PRESETS[a.preset]
    pairs = a.pairs or ref_pairs
    dev = torch.device(a.device)
    cuda = dev.type == 'cuda'
    torch.backends.cuda.matmul.allow_tf32 = mode == 'tf32'
    torch.backends.cudnn.allow_tf32 = mode == 'tf32'
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    torch.manual_seed(0)
    model = RewardModel(vocab, positions, d, layers, heads).to(dev)
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.01}, {'params': no_decay, 'weight_decay': 0.0}], lr=3e-3, betas=(0.9, 0.999), eps=1e-8)
    pool = synthetic_pairs(max(64, 4 * pairs), vocab, positions)
    batches = [pack(pool[i : i + pairs], dev) for i in range(0, len(pool) - pairs + 1, pairs)]
    times, losses, tokens = [], [], []
    for s in range(a.warmup + a.steps):
        ids, lengths = batches[s % len(batches)]
        sync()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=mode == 'bf16'):
            r = model(ids, lengths)
        loss_sum = -F.logsigmoid(r[:pairs].float() - r[pairs:].float()).sum()
        (loss_sum / pairs).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        lv = loss_sum.item() / pairs
        sync()
        dt = time.perf_counter() - t0
        losses.append(lv)
        if s >= a.warmup:
            times.append(dt)
            tokens.append(ids.numel())
    med = statistics.median(times)
    tok = statistics.mean(tokens)
    width = tok / (2 * pairs)
    # the bench's count: 3 x forward, forward = 2 x matmul weights + attention (4 L d width) + 2 d per token
    flops = 3 * (2 * layers * 12 * d * d + 4 * layers * d * width + 2 * d) * tok
    row = dict(what='train', impl='pytorch-' + dev.type + '-' + mode, torch=torch.__version__,
               device=torch.cuda.get_device_name(dev) if cuda else 'cpu', preset=a.preset, pairs=pairs,
               tokens_step=tok, ms_step=med * 1e3, ms_min=min(times) * 1e3, pairs_s=pairs / med, tokens_s=tok / med,
               gflops=flops / med / 1e9, params=sum(p.numel() for p in model.parameters()),
               loss_first=losses[0], loss_last=losses[-1])
    del model, opt, batches
    if cuda:
        torch.cuda.empty_cache()
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--preset', default='small', choices=sorted(PRESETS))
    ap.add_argument('--mode', default='fp32', help='comma-separated: fp32, tf32, bf16')
    ap.add_argument('--pairs', type=int, default=0)
    ap.add_argument('--warmup', type=int, default=3)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--device', default='cuda')
    a = ap.parse_args()
    for mode in a.mode.split(','):
        if mode not in ('fp32', 'tf32', 'bf16'):
            ap.error('unknown mode ' + mode)
        print(json.dumps(run(a, mode)), flush=True)


if __name__ == '__main__':
    main()
