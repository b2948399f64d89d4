/**
 * GPT-2's tokenizer (byte-level BPE, 50,257 tokens, <|endoftext|> = 50256 as bos, eos and
 * pad), run by the Hugging Face library like every kind. Its tokenizer.json comes from a
 * GPT-2 folder (tokenizer.json, or vocab.json and merges.txt: tokenizerFolder.ts) or, when
 * there is none, is made from the vocabulary that the gpt-tokenizer package ships (its
 * r50k_base ranks are GPT-2's ids): no download at run time, and ids identical to GPT-2's.
 */
import ranks from 'gpt-tokenizer/bpeRanks/r50k_base';
import { BpeTokenizer, GPT2_END_OF_TEXT } from './bpe.ts';
import { BYTE_LEVEL_DECODER, BYTE_LEVEL_PRE_TOKENIZER, byteLevelBpeModel, byteLevelString } from './byteLevel.ts';
import { tokenizerJson, type TokenizerJson } from './tokenizerJson.ts';

export interface Gpt2TokenizerSettings {
  kind: 'gpt2';
}

export const GPT2_VOCAB_SIZE = 50257;

let bundled: BpeTokenizer | undefined;

/** GPT-2's tokenizer from the bundled vocabulary (made once per process: about two seconds). */
export function gpt2Tokenizer(): BpeTokenizer {
  bundled ??= new BpeTokenizer('gpt2', gpt2Json(bundledVocabulary()));
  return bundled;
}

/**
 * GPT-2's tokenizer.json for a vocabulary (token -> id, with <|endoftext|>) and its merges
 * in rank order; without merges, they are recovered from the vocabulary, whose ids are
 * the merge ranks (a token of id r is what byte-pair merging of its bytes with the
 * merges of the tokens below r ends in: those last two parts are its merge).
 */
export function gpt2Json(vocab: Record<string, number>, merges?: readonly (readonly [string, string])[]): TokenizerJson {
  const endOfText = vocab[GPT2_END_OF_TEXT];
  return tokenizerJson({
    added_tokens:
      endOfText === undefined ? [] : [{ id: endOfText, content: GPT2_END_OF_TEXT, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: BYTE_LEVEL_PRE_TOKENIZER,
    post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: BYTE_LEVEL_DECODER,
    model: byteLevelBpeModel(vocab, merges ?? mergesFromRanks(vocab)),
  });
}

/** The bundled r50k_base ranks as GPT-2's vocab.json (byte-level strings -> ids), <|endoftext|> included. */
function bundledVocabulary(): Record<string, number> {
  const encoder = new TextEncoder();
  const entries = ranks.map((token, id): [string, number] => [byteLevelString(typeof token === 'string' ? encoder.encode(token) : token), id]);
  return Object.fromEntries([...entries, [GPT2_END_OF_TEXT, entries.length]]);
}

function mergesFromRanks(vocab: Record<string, number>): [string, string][] {
  const ranks = new Map(Object.entries(vocab).filter(([token]) => token !== GPT2_END_OF_TEXT));
  const byRank = [...ranks].sort(([, a], [, b]) => a - b);
  const merges: [string, string][] = [];
  for (const [token, rank] of byRank) {
    const parts = Array.from(token);
    if (parts.length < 2) continue;
    while (parts.length > 2) {
      let best = -1;
      let bestRank = rank;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = ranks.get(parts[i] + parts[i + 1]);
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) throw new Error(`GPT-2 vocabulary: the token ${JSON.stringify(token)} (id ${rank}) cannot be made by merges of lower rank`);
      parts.splice(best, 2, parts[best] + parts[best + 1]);
    }
    merges.push([parts[0], parts[1]]);
  }
  return merges;
}
