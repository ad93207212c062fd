/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, over named Float32Array params.
 *
 *   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
 *   p -= lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps) + lr * wd * p   (decay only where decays(name))
 *
 * Default decay rule (nanoGPT's: decay matrices, not vectors): every parameter decays except
 * LayerNorm gains/biases and biases, i.e. names whose last segment is `g` or starts with `b`
 * (`ln1.g`, `lnf.b`, `attn.bqkv`, `mlp.bproj`, ...). Embeddings (`wte`, `wpe`) and `head` decay.
 *
 * Arithmetic is float64 per element, stored back as float32, so the result is the same on every
 * machine. The state (t, m, v) can be saved with the weights file: `stateTensors()` names them
 * `adam.m.<param>` / `adam.v.<param>`.
 */
export type Params = Map<string, Float32Array>;

export interface AdamWOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  readonly weightDecay?: number;
  /** Which parameters get weight decay (default: see the file comment). */
  readonly decays?: (name: string) => boolean;
}

export function defaultDecays(name: string): boolean {
  const last = name.slice(name.lastIndexOf(".") + 1);
  return !(last === "g" || last.startsWith("b"));
}

export interface AdamWState {
  readonly step: number;
  readonly m: Params;
  readonly v: Params;
}

export class AdamW {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  private readonly decays: (name: string) => boolean;
  private t = 0;
  private m: Params = new Map();
  private v: Params = new Map();

  constructor(options: AdamWOptions = {}) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01; // torch and verl default
    this.decays = options.decays ?? defaultDecays;
    for (const [k, x] of [["beta1", this.beta1], ["beta2", this.beta2]] as const) {
      if (!(x >= 0 && x < 1)) throw new Error(`AdamW ${k} must be in [0, 1), got ${x}`);
    }
    if (!(this.eps > 0)) throw new Error(`AdamW eps must be > 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) throw new Error(`AdamW weightDecay must be >= 0, got ${this.weightDecay}`);
  }

  /** Number of updates applied so far. */
  get step(): number {
    return this.t;
  }

  /** One update of params in place. Every param needs a grad of the same length; extra grads are an error. */
  update(params: Params, grads: Params, lr: number): void {
    if (!(lr >= 0) || !Number.isFinite(lr)) throw new Error(`AdamW lr must be finite and >= 0, got ${lr}`);
    for (const name of grads.keys()) if (!params.has(name)) throw new Error(`AdamW: grad for unknown param ${name}`);
    this.t += 1;
    const bc1 = 1 - this.beta1 ** this.t;
    const bc2 = 1 - this.beta2 ** this.t;
    for (const [name, p] of params) {
      const g = grads.get(name);
      if (!g) throw new Error(`AdamW: no grad for param ${name}`);
      if (g.length !== p.length) throw new Error(`AdamW: grad ${name} has ${g.length} elements, param ${p.length}`);
      let m = this.m.get(name);
      let v = this.v.get(name);
      if (!m || !v) {
        m = new Float32Array(p.length);
        v = new Float32Array(p.length);
        this.m.set(name, m);
        this.v.set(name, v);
      }
      const decay = this.decays(name) ? lr * this.weightDecay : 0;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i];
        const mi = this.beta1 * m[i] + (1 - this.beta1) * gi;
        const vi = this.beta2 * v[i] + (1 - this.beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] - (lr * (mi / bc1)) / (Math.sqrt(vi / bc2) + this.eps) - decay * p[i];
      }
    }
  }

  getState(): AdamWState {
    return { step: this.t, m: cloneParams(this.m), v: cloneParams(this.v) };
  }

  setState(state: AdamWState): void {
    if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`AdamW state step must be >= 0, got ${state.step}`);
    for (const name of state.m.keys()) {
      const v = state.v.get(name);
      if (!v || v.length !== state.m.get(name)!.length) throw new Error(`AdamW state: m and v differ for ${name}`);
    }
    if (state.m.size !== state.v.size) throw new Error("AdamW state: m and v have different params");
    this.t = state.step;
    this.m = cloneParams(state.m);
    this.v = cloneParams(state.v);
  }

  /** Moments as named tensors for a weights file (the step count goes in the checkpoint's JSON). */
  stateTensors(): Params {
    const out: Params = new Map();
    for (const [name, m] of this.m) out.set(`adam.m.${name}`, m.slice());
    for (const [name, v] of this.v) out.set(`adam.v.${name}`, v.slice());
    return out;
  }

  loadStateTensors(step: number, tensors: Params): void {
    const m: Params = new Map();
    const v: Params = new Map();
    for (const [key, x] of tensors) {
      if (key.startsWith("adam.m.")) m.set(key.slice(7), x);
      else if (key.startsWith("adam.v.")) v.set(key.slice(7), x);
    }
    this.setState({ step, m, v });
  }
}

function cloneParams(p: Params): Params {
  return new Map([...p].map(([k, x]) => [k, x.slice()]));
}
