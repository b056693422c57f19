"""PyTorch (CPU) peer of `nx run trainer:bench`: the same model and the same batches, timed on the
same cores, so the bench can print rewardkit's pairs/s as a ratio of PyTorch's.

Model: tools/gpu/torch_peer.py's RewardModel (GPT-2 blocks: pre-LN, qkv, tanh GELU, 4x MLP, learned
positions, final LayerNorm, a bias-free score head read at each row's last real token), built with
the sizes the bench passes. Data: the bench writes the very batches it timed (token ids of each
pair's chosen and rejected response); rows are padded with 0 to the batch's longest. Step: forward
of 2n rows, Bradley-Terry loss summed and divided by n, backward, gradient clipped to norm 1,
AdamW. One JSON line per thread count.

  python torch_peer_cpu.py --spec spec.json --threads 1,2 [--warmup 1] [--steps 10]
spec.json: {"layers", "heads", "d", "positions", "vocab", "lr", "weightDecay", "batches": [[[chosen ids], [rejected ids]], ...] per step}
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'tools', 'gpu'))
from torch_peer import RewardModel  # noqa: E402  (the GPU peer's model: one definition of it)


def pack(pairs):
    seqs = [c for c, _ in pairs] + [r for _, r in pairs]
    width = max(len(x) for x in seqs)
    ids = torch.zeros(len(seqs), width, dtype=torch.long)
    for i, x in enumerate(seqs):
        ids[i, : len(x)] = torch.tensor(x)
    return ids, torch.tensor([len(x) for x in seqs])


def run(spec, threads, warmup, steps):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = RewardModel(spec['vocab'], spec['positions'], spec['d'], spec['layers'], spec['heads'])
    decay = [p for p in model.parameters() if p.dim() > 1]
    no_decay = [p for p in model.parameters() if p.dim() <= 1]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': spec['weightDecay']}, {'params': no_decay, 'weight_decay': 0.0}],
                            lr=spec['lr'], betas=(0.9, 0.999), eps=1e-8)
    batches = [pack(b) for b in spec['batches']]
    times, pairs_per_step = [], []
    for s in range(warmup + steps):
        ids, lengths = batches[s % len(batches)]
        n = ids.shape[0] // 2
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        r = model(ids, lengths)
        loss = -F.logsigmoid(r[:n] - r[n:]).sum() / n
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss.item()
        dt = time.perf_counter() - t0
        if s >= warmup:
            times.append(dt)
            pairs_per_step.append(n)
    med = statistics.median(times)
    return dict(impl='pytorch-cpu', torch=torch.__version__, threads=threads, ms_step=med * 1e3, ms_min=min(times) * 1e3,
                pairs_s=statistics.mean(pairs_per_step) / med, params=sum(p.numel() for p in model.parameters()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--spec', required=True)
    ap.add_argument('--threads', default='1,2')
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--steps', type=int, default=10)
    a = ap.parse_args()
    with open(a.spec) as f:
        spec = json.load(f)
    for t in a.threads.split(','):
        print(json.dumps(run(spec, int(t), a.warmup, a.steps)), flush=True)


if __name__ == '__main__':
    main()
