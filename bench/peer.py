"""bench:peer's PyTorch side: the project's GPT-2 (src/model/forward.ts) in plain PyTorch,
timing the same SFT step, DPO step and KV-cached generation as bench/peer/steps.ts on the
same weights and batches (a folder written by bench/peer/workload.ts: policy/ and
reference/ as Hugging Face GPT-2 folders, batches.json with the token ids, masks and
settings TensorFlow.js uses).

Run with Debian's python3-torch (PyTorch 1.13):
  /usr/bin/python3 bench/peer.py --dir DIR [--threads 1] [--steps 5] [--only sft,dpo,generation]
Prints JSON: torch's version, thread count, the BLAS library it mapped and its CPU kernels;
then per step kind the median ms after one warm-up, and every step's loss (the warm-up's
first, the loss of the starting weights).
"""
import argparse
import resource
import json
import math
import os
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_safetensors(path):
    """name -> float32 tensor: 8-byte little-endian header length, JSON header, raw data."""
    with open(path, "rb") as f:
        data = f.read()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_length])
    start = 8 + header_length
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if entry["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {entry['dtype']}; only F32 is read")
        begin, end = entry["data_offsets"]
        values = np.frombuffer(data, dtype="<f4", count=(end - begin) // 4, offset=start + begin)
        tensors[name] = torch.from_numpy(values.reshape(entry["shape"]).copy())
    return tensors


class GPT:
    """GPT-2 as src/model/forward.ts computes it: Conv1D weights [in, out], learned positions,
    pre-LayerNorm blocks, causal attention with an additive -1e9 bias, tanh GELU, final
    LayerNorm, output head tied to wte."""

    def __init__(self, folder, trainable):
        with open(os.path.join(folder, "config.json")) as f:
            config = json.load(f)
        self.n_layer, self.n_head, self.n_embd = config["n_layer"], config["n_head"], config["n_embd"]
        self.context = config["n_positions"]
        self.eps = config["layer_norm_epsilon"]
        self.params = read_safetensors(os.path.join(folder, "model.safetensors"))
        for p in self.params.values():
            p.requires_grad_(trainable)

    def layer_norm(self, x, name):
        return F.layer_norm(x, (self.n_embd,), self.params[name + ".weight"], self.params[name + ".bias"], self.eps)

    def conv1d(self, x, name):
        """x (..., in) @ W (in, out) + b."""
        w, b = self.params[name + ".weight"], self.params[name + ".bias"]
        return torch.addmm(b, x.reshape(-1, x.shape[-1]), w).view(*x.shape[:-1], w.shape[1])

    def transformer(self, ids, attention_mask=None, past=None):
        """ids (B, T) after the cached positions of `past` (one (key, value) per layer) ->
        hidden (B, T, C) after ln_f, and the keys and values of all positions."""
        B, T = ids.shape
        past_length = past[0][0].shape[2] if past else 0
        Tk = past_length + T
        p = self.params
        x = p["transformer.wte.weight"][ids] + p["transformer.wpe.weight"][past_length:Tk]  # (B, T, C)
        bias = attention_bias(T, Tk, attention_mask)  # (B|1, 1, T, Tk)
        present = []
        for i in range(self.n_layer):
            h = f"transformer.h.{i}."
            out, cache = self.attention(h, self.layer_norm(x, h + "ln_1"), bias, past[i] if past else None)
            present.append(cache)
            x = x + out
            m = self.layer_norm(x, h + "ln_2")
            x = x + self.conv1d(F.gelu(self.conv1d(m, h + "mlp.c_fc"), approximate="tanh"), h + "mlp.c_proj")
        return self.layer_norm(x, "transformer.ln_f"), present

    def attention(self, h, x, bias, past):
        B, T, C = x.shape
        H, hs = self.n_head, C // self.n_head
        q, k, v = self.conv1d(x, h + "attn.c_attn").split(C, dim=2)
        q, k, v = (t.view(B, T, H, hs).transpose(1, 2) for t in (q, k, v))  # (B, H, T, hs)
        if past is not None:
            k, v = torch.cat([past[0], k], 2), torch.cat([past[1], v], 2)  # (B, H, Tk, hs)
        weights = torch.softmax((q * (1 / math.sqrt(hs))) @ k.transpose(-2, -1) + bias, dim=-1)  # (B, H, T, Tk)
        y = (weights @ v).transpose(1, 2).reshape(B, T, C)
        return self.conv1d(y, h + "attn.c_proj"), (k, v)

    def head(self, hidden):
        """hidden (..., C) -> logits (..., V) through the tied embedding."""
        return hidden @ self.params["transformer.wte.weight"].T

    def token_logps(self, ids, attention_mask=None):
        """log p(ids[:, t+1] | ids[:, :t+1]): ids (B, T) -> (B, T-1), as tokenLogProbs."""
        hidden, _ = self.transformer(ids, attention_mask)
        logps = torch.log_softmax(self.head(hidden[:, :-1]), dim=-1)  # (B, T-1, V)
        return logps.gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1)


def attention_bias(T, Tk, key_mask):
    """0 where query t (the last T of Tk positions) may attend to key j, -1e9 elsewhere (attentionBias)."""
    allowed = torch.ones(T, Tk).tril(diagonal=Tk - T)[None, None]  # (1, 1, T, Tk)
    if key_mask is not None:
        allowed = allowed * key_mask[:, None, None, :]
    return (allowed - 1) * 1e9


def optimizer_for(model, settings, lr):
    """AdamW as src/training/optimizer.ts: decay only on params of rank >= 2 without 'ln_' in their name."""
    o = settings["optimizer"]
    decay = [p for n, p in model.params.items() if p.dim() >= 2 and "ln_" not in n]
    rest = [p for n, p in model.params.items() if not (p.dim() >= 2 and "ln_" not in n)]
    groups = [{"params": decay, "weight_decay": o["weight_decay"]}, {"params": rest, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(o["beta1"], o["beta2"]), eps=o["eps"])


def trainer(model, settings, step_settings, loss_fn):
    optimizer = optimizer_for(model, step_settings, settings["lr"])
    params = list(model.params.values())

    def step():
        loss = loss_fn()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, settings["maxGradNorm"])
        optimizer.step()
        return loss.item()

    return step


def sft_step(dir, batches):
    """Mean next-token cross-entropy over the targets of loss_mask (languageModelLoss)."""
    settings = batches["settings"]
    policy = GPT(os.path.join(dir, "policy"), trainable=True)
    ids = torch.tensor(batches["sft"]["ids"], dtype=torch.long)  # (B, T)
    loss_mask = torch.tensor(batches["sft"]["loss_mask"], dtype=torch.float32)  # (B, T-1)
    targets = max(1.0, loss_mask.sum().item())
    return trainer(policy, settings, settings["sft"], lambda: -(policy.token_logps(ids) * loss_mask).sum() / targets)


def dpo_step(dir, batches):
    """-log sigmoid(beta ((pc - rc) - (pr - rr))), mean over pairs; the reference without gradients."""
    settings = batches["settings"]
    beta = settings["dpo"]["beta"]
    policy = GPT(os.path.join(dir, "policy"), trainable=True)
    reference = GPT(os.path.join(dir, "reference"), trainable=False)
    d = batches["dpo"]
    B = d["pairs"]
    ids = torch.tensor(d["ids"], dtype=torch.long)  # (2B, T): chosen rows, then rejected rows
    response_mask = torch.tensor(d["response_mask"], dtype=torch.float32)[:, 1:]  # (2B, T-1), aligned with the targets
    attention_mask = torch.tensor(d["attention_mask"], dtype=torch.float32)  # (2B, T)

    def sequence_logps(model):
        logps = (model.token_logps(ids, attention_mask) * response_mask).sum(1)  # (2B,)
        return logps[:B], logps[B:]

    def loss():
        with torch.no_grad():
            reference_chosen, reference_rejected = sequence_logps(reference)
        policy_chosen, policy_rejected = sequence_logps(policy)
        h = (policy_chosen - reference_chosen) - (policy_rejected - reference_rejected)
        return -F.logsigmoid(beta * h).mean()

    return trainer(policy, settings, settings["dpo"], loss)


def generation(dir, batches):
    """KV-cached sampling: the prompts once, then one position per new token; softmax(logits / T)."""
    policy = GPT(os.path.join(dir, "policy"), trainable=False)
    prompts = torch.tensor(batches["generation"]["prompts"], dtype=torch.long)  # (B, P), no padding
    steps = min(batches["generation"]["max_new_tokens"], policy.context - prompts.shape[1])
    temperature = batches["settings"]["temperature"]
    generator = torch.Generator().manual_seed(0)

    @torch.no_grad()
    def generate():
        hidden, past = policy.transformer(prompts, past=[])
        tokens = []
        for step in range(steps):
            if step > 0:
                hidden, past = policy.transformer(tokens[-1], past=past)
            probs = torch.softmax(policy.head(hidden[:, -1]) / temperature, dim=-1)  # (B, V)
            tokens.append(torch.multinomial(probs, 1, generator=generator))  # (B, 1)
        return torch.cat(tokens, 1)

    return generate, prompts.shape[0] * steps


def timed(run, steps):
    """Runs `run` 1 + steps times: the median ms of all but the first, and what each returned."""
    results, times = [run()], []
    for _ in range(steps):
        start = time.perf_counter()
        results.append(run())
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), results


def blas_in_use():
    """The BLAS shared library this process mapped (Debian switches libblas.so.3 by alternatives)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open("/proc/self/maps") as maps:
        libs = {line.split()[-1] for line in maps if "blas" in line.lower() or "blis" in line.lower()}
    resolved = sorted({os.path.realpath(p) for p in libs if p.startswith("/")})
    return resolved


def cpu_capability():
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage" in line:
            return line.split(":", 1)[1].strip()
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True, help="a folder written by bench/peer/workload.ts")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", default="sft,dpo,generation")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with open(os.path.join(args.dir, "batches.json")) as f:
        batches = json.load(f)
    result = {
        "engine": {
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "blas": blas_in_use(),
            "cpu_capability": cpu_capability(),
        }
    }
    kinds = args.only.split(",")
    if "sft" in kinds:
        ms, losses = timed(sft_step(args.dir, batches), args.steps)
        result["sft"] = {"ms": ms, "losses": losses}
    if "dpo" in kinds:
        ms, losses = timed(dpo_step(args.dir, batches), args.steps)
        result["dpo"] = {"ms": ms, "losses": losses}
    if "generation" in kinds:
        generate, new_tokens = generation(args.dir, batches)
        ms, _ = timed(generate, args.steps)
        result["generation"] = {"ms": ms, "tokens_per_second": new_tokens / (ms / 1000)}
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # Linux: KiB
    print(json.dumps(result))


if __name__ == "__main__":
    main()
