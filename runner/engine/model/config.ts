// Transformer configuration, special token ids, and the canonical parameter list (names, order,
// shapes) that every part of the engine shares (see the engine spec).

export interface ModelConfig {
  vocabSize: number;
  context: number;
  width: number;
  depth: number;
  heads: number;
}

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;

export const LN_EPS = 1e-5;

/**
 * Tokens the sampler never draws: the graphs treat PAD as absent, so a sampled PAD would silently
 * vanish from the context when the sequence is scored later, and BOS only starts a sequence. The
 * policy's distribution is over the other tokens; every log-probability, entropy and
 * self-certainty the engine computes for RL is over that support (model/sampling.ts, graphs.ts).
 */
export const UNSAMPLED: readonly number[] = [PAD, BOS];

/** A parameter set: name -> row-major float32 data, in `paramShapes` order. */
export type Params = Map<string, Float32Array>;

/** Any seeded uniform source in [0, 1) (e.g. util/rng's Rng). */
export interface UniformSource {
  next(): number;
}

export function paramShapes(c: ModelConfig): Array<[string, number[]]> {
  const C = c.width, V = c.vocabSize;
  if (C % c.heads !== 0) throw new Error(`width ${C} is not divisible by heads ${c.heads}`);
  const out: Array<[string, number[]]> = [["wte", [V, C]], ["wpe", [c.context, C]]];
  for (let i = 0; i < c.depth; i++) {
    const p = `h${i}.`;
    out.push(
      [`${p}ln1.g`, [C]], [`${p}ln1.b`, [C]],
      [`${p}attn.wqkv`, [C, 3 * C]], [`${p}attn.bqkv`, [3 * C]],
      [`${p}attn.wo`, [C, C]], [`${p}attn.bo`, [C]],
      [`${p}ln2.g`, [C]], [`${p}ln2.b`, [C]],
      [`${p}mlp.wfc`, [C, 4 * C]], [`${p}mlp.bfc`, [4 * C]],
      [`${p}mlp.wproj`, [4 * C, C]], [`${p}mlp.bproj`, [C]],
    );
  }
  out.push(["lnf.g", [C]], ["lnf.b", [C]], ["head", [C, V]]);
  return out;
}

export const numel = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

export function paramCount(c: ModelConfig): number {
  return paramShapes(c).reduce((s, [, d]) => s + numel(d), 0);
}
