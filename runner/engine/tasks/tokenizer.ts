/**
 * Character tokenizer shared by every task and model.
 *
 * Ids: 0 PAD, 1 BOS, 2 EOS, then one id per character of ALPHABET in order. The alphabet is part
 * of a model's identity (it is written into manifest.json): never reorder it; appending characters
 * changes vocabSize, so old models would no longer load.
 *
 * It holds digits, the arithmetic operators and brackets, the scratchpad separators (`,` between
 * steps, `#` before the answer), the countdown separator `>` and the upper-case letters used by
 * verification prompts (`VERIFY ...?` answered `Y` or `N`), with spare letters for future prompts.
 */

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
export const SPECIAL_TOKENS = 3;

export const ALPHABET = "0123456789+-*/=()#,?:;>. ABCDEFGHIJKLMNOPQRSTUVWXYZ";

export const VOCAB_SIZE = SPECIAL_TOKENS + ALPHABET.length;

const CHAR_TO_ID: ReadonlyMap<string, number> = new Map(
  [...ALPHABET].map((ch, i) => [ch, SPECIAL_TOKENS + i] as const),
);

export function vocabSize(): number {
  return VOCAB_SIZE;
}

/** Character ids of `text` (no BOS/EOS); throws on a character outside the alphabet. */
export function encode(text: string): number[] {
  const ids: number[] = new Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const id = CHAR_TO_ID.get(text[i]);
    if (id === undefined) {
      throw new Error(`character ${JSON.stringify(text[i])} at ${i} is not in the tokenizer alphabet`);
    }
    ids[i] = id;
  }
  return ids;
}

/** True when every character of text is in the alphabet. */
export function isEncodable(text: string): boolean {
  for (const ch of text) if (!CHAR_TO_ID.has(ch)) return false;
  return true;
}

/**
 * Text of character ids. Decoding stops at the first EOS or PAD (a sampled response ends there);
 * BOS is skipped. Throws on an id outside the vocabulary.
 */
export function decode(ids: ArrayLike<number>): string {
  let out = "";
  for (let i = 0; i < ids.length; i++) {
    const id = Number(ids[i]);
    if (id === EOS || id === PAD) break;
    if (id === BOS) continue;
    const ch = ALPHABET[id - SPECIAL_TOKENS];
    if (!Number.isInteger(id) || ch === undefined) throw new Error(`token id ${id} is outside the vocabulary`);
    out += ch;
  }
  return out;
}

/** BOS + prompt (the model generates the response after this). */
export function encodePrompt(prompt: string): number[] {
  return [BOS, ...encode(prompt)];
}

/** BOS + prompt + response + EOS, and the index of the first response token. */
export function encodeExample(prompt: string, response: string): { tokens: number[]; responseStart: number } {
  const p = encodePrompt(prompt);
  return { tokens: [...p, ...encode(response), EOS], responseStart: p.length };
}
