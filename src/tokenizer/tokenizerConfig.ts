/**
 * transformers' tokenizer_config.json for a tokenizer, written beside its tokenizer.json so
 * that AutoTokenizer loads it as it runs here: a PreTrainedTokenizerFast that knows its
 * special tokens (a pad token, so that batches pad), the model's context length, no
 * clean-up of spaces when decoding, and split_special_tokens, so that a text spelling a
 * special token ("<eos>") stays ordinary text, as dpo-run encodes it.
 */
import type { Tokenizer } from './types.ts';

export function huggingFaceTokenizerConfig(tokenizer: Tokenizer, modelMaxLength: number): Record<string, unknown> {
  const json = tokenizer.toJSON();
  const nameOf = (id: number): string => {
    const name = json.added_tokens.find((t) => t.id === id)?.content ?? Object.keys(json.model.vocab).find((token) => json.model.vocab[token] === id);
    if (name === undefined) throw new Error(`tokenizer.json has no token of id ${id}`);
    return name;
  };
  const unk = tokenizer.kind === 'gpt2' ? nameOf(tokenizer.eos) : (json.model.unk_token ?? undefined);
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: nameOf(tokenizer.bos),
    eos_token: nameOf(tokenizer.eos),
    pad_token: nameOf(tokenizer.pad),
    ...(unk === undefined ? {} : { unk_token: unk }),
    model_max_length: modelMaxLength,
    clean_up_tokenization_spaces: false,
    split_special_tokens: true,
  };
}
