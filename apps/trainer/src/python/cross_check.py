"""The Python side of python-cross-check.spec.ts, run in .cache/pyenv (tools/scripts/setup-python-env.sh).

  cross_check.py write DIR PAD      a tiny GPT2ForSequenceClassification as a Python user saves it:
                                    PAD "own" adds [PAD] (embedding + 1 row); PAD "eos" keeps pad = EOS
                                    and saves bfloat16 weights. The tokenizer is GPT-2's (from TOKENIZER_DIR),
                                    post-processor ByteLevel (no EOS appended), as GPT-2 ships it.
  cross_check.py score JOB.json     scores pairs of texts in several model directories with the model
                                    card's snippet (SNIPPET file: encode_pair + rewards, batched and padded);
                                    writes ids and rewards to JOB["out"].
"""
import contextlib
import io
import json
import os
import sys

import torch
from tokenizers import processors
from transformers import AutoTokenizer, GPT2Config, GPT2ForSequenceClassification


def write(out_dir, pad, tokenizer_dir):
    torch.manual_seed(1234)
    tok = AutoTokenizer.from_pretrained(tokenizer_dir)
    tok.backend_tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    config = GPT2Config(n_layer=2, n_head=2, n_embd=32, n_positions=128, vocab_size=len(tok), num_labels=1,
                        bos_token_id=tok.eos_token_id, eos_token_id=tok.eos_token_id)
    if pad == "own":
        tok.add_special_tokens({"pad_token": "[PAD]"})
    else:
        tok.pad_token = tok.eos_token
    config.pad_token_id = tok.pad_token_id
    model = GPT2ForSequenceClassification(config)
    model.resize_token_embeddings(len(tok))
    with torch.no_grad():  # a head large enough that a wrong read position shows
        model.score.weight.normal_(0, 1.0)
    if pad == "eos":
        model = model.to(torch.bfloat16)
    model.save_pretrained(out_dir)
    tok.save_pretrained(out_dir)
    cfg_file = os.path.join(out_dir, "tokenizer_config.json")
    cfg = json.load(open(cfg_file))
    cfg.pop("rewardkit", None)  # a Python user's tokenizer: rewardkit reads its tokenizer.json
    json.dump(cfg, open(cfg_file, "w"), indent=2)


def at_eos_by_hand(tok, model, seqs):
    """The reward at each sequence's last real token, whatever pad_token_id says."""
    batch = tok.pad({"input_ids": seqs}, return_tensors="pt")
    with torch.no_grad():
        hidden = model.transformer(**batch).last_hidden_state
        last = batch["attention_mask"].sum(-1) - 1
        return model.score(hidden[torch.arange(len(seqs)), last])[:, 0].tolist()


def score(job_file):
    job = json.load(open(job_file))
    snippet = open(job["snippet"]).read()
    results = {}
    for name, spec in job["models"].items():
        cwd = os.getcwd()
        os.chdir(spec["dir"])  # the snippet loads path "."
        scope = {}
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(snippet, scope)
        finally:
            os.chdir(cwd)
        tok, model = scope["tok"], scope["model"].float()
        scope["model"] = model
        seqs, default_ids = [], []
        for p in job["pairs"]:
            c, r = scope["encode_pair"](p["prompt"], p["chosen"], p["rejected"], job["max_length"])
            seqs += [c, r]
            # The library's plainest call: tok(prompt + response), EOS appended by the post-processor.
            default_ids += [tok(p["prompt"] + x).input_ids for x in (p["chosen"], p["rejected"])]
        if spec.get("at_eos_by_hand"):
            rewards = at_eos_by_hand(tok, model, seqs)
        else:
            rewards = scope["rewards"](seqs)
        plain = None
        if spec.get("plain_batch"):  # tok(texts, padding=True, truncation=True): default batched scoring
            texts = [p["prompt"] + x for p in job["pairs"] for x in (p["chosen"], p["rejected"])]
            batch = tok(texts, padding=True, truncation=True, return_tensors="pt")
            with torch.no_grad():
                plain = model(**batch).logits[:, 0].tolist()
        results[name] = {"ids": seqs, "rewards": rewards, "default_ids": default_ids, "plain_rewards": plain,
                         "pad_token_id": model.config.pad_token_id, "eos_token_id": tok.eos_token_id}
    json.dump(results, open(job["out"], "w"))


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        score(sys.argv[2])
