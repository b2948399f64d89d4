"""The GPT-shaped SFT and DPO steps of bench/native/gptStep.ts in PyTorch, timed the same way.

Run with Debian's python3-torch: /usr/bin/python3 bench/peer.py [--steps N] [--threads N]
Prints JSON: torch's version, thread count and BLAS, and the median ms per step.
"""
import argparse
import json
import math
import os
import statistics
import time

import torch
import torch.nn.functional as F

SHAPE = dict(vocab=2048, context=64, width=128, layers=4, heads=4, batch=8)
WARMUP = 2


def create_weights(s, seed, trainable=True):
    g = torch.Generator().manual_seed(seed)
    w = {}

    def normal(name, shape):
        w[name] = (torch.randn(*shape, generator=g) * 0.02).requires_grad_(trainable)

    def constant(name, shape, value):
        w[name] = torch.full(shape, float(value)).requires_grad_(trainable)

    C = s["width"]
    normal("wte", (s["vocab"], C))
    normal("wpe", (s["context"], C))
    for l in range(s["layers"]):
        constant(f"ln1g{l}", (C,), 1); constant(f"ln1b{l}", (C,), 0)
        normal(f"qkv{l}", (C, 3 * C)); constant(f"qkvb{l}", (3 * C,), 0)
        normal(f"proj{l}", (C, C)); constant(f"projb{l}", (C,), 0)
        constant(f"ln2g{l}", (C,), 1); constant(f"ln2b{l}", (C,), 0)
        normal(f"fc{l}", (C, 4 * C)); constant(f"fcb{l}", (4 * C,), 0)
        normal(f"out{l}", (4 * C, C)); constant(f"outb{l}", (C,), 0)
    constant("lnfg", (C,), 1); constant("lnfb", (C,), 0)
    return w


def forward(w, s, ids):
    """ids (B, T) -> logits (B, T, V); the same ops as gptStep.ts's forward."""
    B, T = ids.shape
    C, H = s["width"], s["heads"]
    D = C // H
    causal = torch.triu(torch.full((T, T), -1e9), diagonal=1)  # (T, T)
    x = w["wte"][ids] + w["wpe"][:T]  # (B, T, C)
    for l in range(s["layers"]):
        h = F.layer_norm(x, (C,), w[f"ln1g{l}"], w[f"ln1b{l}"], 1e-5)
        qkv = (h @ w[f"qkv{l}"] + w[f"qkvb{l}"]).view(B, T, 3, H, D)
        q, k, v = (qkv[:, :, i].transpose(1, 2) for i in range(3))  # (B, H, T, D)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(D) + causal, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + y @ w[f"proj{l}"] + w[f"projb{l}"]
        m = F.layer_norm(x, (C,), w[f"ln2g{l}"], w[f"ln2b{l}"], 1e-5)
        x = x + F.gelu(m @ w[f"fc{l}"] + w[f"fcb{l}"], approximate="tanh") @ w[f"out{l}"] + w[f"outb{l}"]
    hf = F.layer_norm(x, (C,), w["lnfg"], w["lnfb"], 1e-5)
    return hf @ w["wte"].T


def sequence_logps(logits, targets):
    """logits (B, T, V), targets (B, T) -> (B): summed log p of the targets."""
    return torch.log_softmax(logits, -1).gather(-1, targets.unsqueeze(-1)).squeeze(-1).sum(-1)


def median_ms(fn, steps):
    for _ in range(WARMUP):
        fn()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 2)


def blas_in_use():
    """The BLAS shared library this process mapped (Debian switches libblas.so.3 by alternatives)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line.lower() or "blis" in line.lower()}
    resolved = sorted({os.path.realpath(p) for p in libs if p.startswith("/")})
    return resolved


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    s = SHAPE
    policy, reference = create_weights(s, 1), create_weights(s, 1, trainable=False)
    optimizer = torch.optim.Adam(list(policy.values()), lr=1e-4)
    g = torch.Generator().manual_seed(2)
    sft_tokens = torch.randint(0, s["vocab"], (s["batch"], s["context"] + 1), generator=g)
    pair_tokens = torch.randint(0, s["vocab"], (2 * s["batch"], s["context"] + 1), generator=g)

    def sft_step():
        ids, targets = sft_tokens[:, :-1], sft_tokens[:, 1:]
        loss = -sequence_logps(forward(policy, s, ids), targets).sum() / (s["batch"] * s["context"])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    def dpo_step():
        ids, targets = pair_tokens[:, :-1], pair_tokens[:, 1:]
        with torch.no_grad():
            reference_logps = sequence_logps(forward(reference, s, ids), targets)
        logratios = sequence_logps(forward(policy, s, ids), targets) - reference_logps
        chosen, rejected = logratios.chunk(2)
        loss = F.softplus(-0.1 * (chosen - rejected)).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    result = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blasLibraries": blas_in_use(),
        "config": torch.__config__.show(),
        "shape": s,
        "steps": args.steps,
        "sftMs": median_ms(sft_step, args.steps),
        "dpoMs": median_ms(dpo_step, args.steps),
        "loadAverage": os.getloadavg(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
