#!/usr/bin/python3
"""Makes test/fixtures/gpt2-tiny: a tiny random GPT-2 in Hugging Face's layout and the
logits an independent PyTorch forward computes for fixed batches, so that the
TypeScript model can be checked against it (test/model/parity.test.ts) without Python.

Run with Debian's python3-torch:  /usr/bin/python3 scripts/makeGpt2Fixture.py
Writes config.json, model.safetensors (written by hand: 8-byte little-endian header
length, JSON header, raw float32 data) and logits.json.
"""
import json
import math
import os
import struct

import torch

VOCAB, POSITIONS, LAYERS, HEADS, WIDTH, EPS = 97, 32, 2, 2, 16, 1e-5
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'gpt2-tiny')


def make_weights(generator):
    """Random weights in Hugging Face GPT-2 names and layouts (Conv1D weights are [in, out])."""
    def normal(*shape, std=0.1):
        return torch.randn(*shape, generator=generator) * std
    C = WIDTH
    w = {'transformer.wte.weight': normal(VOCAB, C, std=0.5), 'transformer.wpe.weight': normal(POSITIONS, C, std=0.3)}
    for i in range(LAYERS):
        h = f'transformer.h.{i}.'
        w[h + 'ln_1.weight'] = 1 + normal(C)
        w[h + 'ln_1.bias'] = normal(C)
        w[h + 'attn.c_attn.weight'] = normal(C, 3 * C, std=0.3)
        w[h + 'attn.c_attn.bias'] = normal(3 * C)
        w[h + 'attn.c_proj.weight'] = normal(C, C, std=0.3)
        w[h + 'attn.c_proj.bias'] = normal(C)
        w[h + 'ln_2.weight'] = 1 + normal(C)
        w[h + 'ln_2.bias'] = normal(C)
        w[h + 'mlp.c_fc.weight'] = normal(C, 4 * C, std=0.3)
        w[h + 'mlp.c_fc.bias'] = normal(4 * C)
        w[h + 'mlp.c_proj.weight'] = normal(4 * C, C, std=0.3)
        w[h + 'mlp.c_proj.bias'] = normal(C)
    w['transformer.ln_f.weight'] = 1 + normal(C)
    w['transformer.ln_f.bias'] = normal(C)
    return w


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def forward(w, ids, attention_mask=None, position_ids=None):
    """GPT-2 in plain PyTorch: ids (B, T) -> logits (B, T, V), in float64."""
    B, T = ids.shape
    C, H = WIDTH, HEADS
    w = {k: v.double() for k, v in w.items()}
    if position_ids is None:
        position_ids = torch.arange(T).expand(B, T)
    x = w['transformer.wte.weight'][ids] + w['transformer.wpe.weight'][position_ids]
    allowed = torch.tril(torch.ones(T, T, dtype=torch.bool)).expand(B, 1, T, T)
    if attention_mask is not None:
        allowed = allowed & attention_mask.bool()[:, None, None, :]
    for i in range(LAYERS):
        p = lambda name: w[f'transformer.h.{i}.{name}']
        a = torch.nn.functional.layer_norm(x, (C,), p('ln_1.weight'), p('ln_1.bias'), EPS)
        q, k, v = (a @ p('attn.c_attn.weight') + p('attn.c_attn.bias')).split(C, dim=2)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // H)
        att = att.masked_fill(~allowed, torch.finfo(att.dtype).min).softmax(dim=-1)  # as transformers does
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + y @ p('attn.c_proj.weight') + p('attn.c_proj.bias')
        m = torch.nn.functional.layer_norm(x, (C,), p('ln_2.weight'), p('ln_2.bias'), EPS)
        x = x + gelu_tanh(m @ p('mlp.c_fc.weight') + p('mlp.c_fc.bias')) @ p('mlp.c_proj.weight') + p('mlp.c_proj.bias')
    x = torch.nn.functional.layer_norm(x, (C,), w['transformer.ln_f.weight'], w['transformer.ln_f.bias'], EPS)
    return x @ w['transformer.wte.weight'].T


def write_safetensors(path, tensors):
    header = {'__metadata__': {'format': 'pt'}}
    offset, blobs = 0, []
    for name, t in tensors.items():
        data = t.float().contiguous().numpy().astype('<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b' ' * ((8 - (len(text) + 8) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    generator = torch.Generator().manual_seed(20230529)
    weights = make_weights(generator)
    os.makedirs(OUT, exist_ok=True)
    # Stored as Hugging Face's GPT2Model saves them (no `transformer.` prefix), with the
    # causal-mask buffer, so that the loader's handling of both is exercised.
    stored = {k.removeprefix('transformer.'): v for k, v in weights.items()}
    stored['h.0.attn.bias'] = torch.tril(torch.ones(POSITIONS, POSITIONS)).view(1, 1, POSITIONS, POSITIONS)
    write_safetensors(os.path.join(OUT, 'model.safetensors'), stored)
    config = {'model_type': 'gpt2', 'architectures': ['GPT2LMHeadModel'], 'vocab_size': VOCAB, 'n_positions': POSITIONS,
              'n_embd': WIDTH, 'n_layer': LAYERS, 'n_head': HEADS, 'layer_norm_epsilon': EPS,
              'activation_function': 'gelu_new', 'resid_pdrop': 0.0, 'embd_pdrop': 0.0, 'attn_pdrop': 0.0}
    with open(os.path.join(OUT, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)

    cases = []
    ids = torch.randint(0, VOCAB, (2, 11), generator=generator)
    cases.append({'ids': ids.tolist(), 'logits': forward(weights, ids).tolist()})
    # Left padding: the first row has 3 padding tokens, positions count real tokens only.
    mask = torch.ones(2, 9, dtype=torch.long)
    mask[0, :3] = 0
    ids = torch.randint(0, VOCAB, (2, 9), generator=generator)
    positions = (mask.cumsum(1) - 1).clamp(min=0)
    logits = forward(weights, ids, mask, positions)
    logits[0, :3] = 0  # padded queries attend to nothing; they are not compared
    cases.append({'ids': ids.tolist(), 'attention_mask': mask.tolist(), 'position_ids': positions.tolist(),
                  'logits': logits.tolist()})
    with open(os.path.join(OUT, 'logits.json'), 'w') as f:
        json.dump({'cases': [{k: (round_nested(v) if k == 'logits' else v) for k, v in c.items()} for c in cases]}, f)


def round_nested(x):
    return [round_nested(v) for v in x] if isinstance(x, list) else float(f'{x:.7g}')


if __name__ == '__main__':
    main()
