import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { stageSchema } from '../../src/pipeline/schema.ts';
import { stageKinds } from '../../src/stages/index.ts';
import { tokenizerOptions } from '../../src/tokenizer/index.ts';

describe('tokenizer settings', () => {
  const validate = new Ajv({ useDefaults: true, allErrors: true, strict: false }).compile(stageSchema(stageKinds.sft));
  const sft = (tokenizer: Record<string, unknown>) => ({
    kind: 'sft',
    data: 'data',
    tokenizer,
    model: { n_layer: 1, n_head: 1, n_embd: 8, context_length: 16 },
    train: { lr: 0.001 },
  });

  it('accepts a bpe tokenizer in an sft stage and fills in its vocab_size', () => {
    const settings = sft({ kind: 'bpe' });
    assert.ok(validate(settings), JSON.stringify(validate.errors));
    assert.deepEqual(tokenizerOptions(settings.tokenizer as never), { kind: 'bpe', vocabSize: 8000 });
  });

  it('rejects a bpe vocab_size below the 3 specials and 256 bytes, and allows it for word', () => {
    assert.equal(validate(sft({ kind: 'bpe', vocab_size: 258 })), false);
    assert.ok(validate.errors!.some((e) => e.instancePath === '/tokenizer/vocab_size'), JSON.stringify(validate.errors));
    assert.ok(validate(sft({ kind: 'word', vocab_size: 258 })));
  });

  it('gives a word tokenizer with its defaults when the settings are left out', () => {
    assert.deepEqual(tokenizerOptions(undefined), { kind: 'word', vocabSize: 8000, lowercase: true, splitPunctuation: true });
  });
});
